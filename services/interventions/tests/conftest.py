"""The interventions tests import their helpers (`interventions_factories`) from this folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
