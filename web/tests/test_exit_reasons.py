"""The exit form's reasons are the interventions service's documented ones, so each exit's event carries a
real code (goal met, not met, left) rather than `other`."""

from interventions.pyramid.rules import exit_reason_code
from web.flags.assignment import EXIT_REASONS


def test_every_reason_the_form_offers_has_its_own_code():
    codes = [exit_reason_code(reason) for reason in EXIT_REASONS]
    assert "other" not in codes and len(set(codes)) == len(EXIT_REASONS)
