"""One shape for every service (STYLE.md, "The model service shape"), checked from the source tree.

- A service package holds only the fixed top-level modules; a sub-domain is a folder with the same four files
  (endpoints, service, repository, schemas) and, when it has pure domain functions, rules; a sub-domain with
  no routes (the consumer side) leaves out the files it has nothing for, never uses other names.
- No import cycles inside a package, function-level imports included (a lazy import is how a cycle hides).
- plc_shared never imports a service or the gateway (components register their `plc` commands instead).
- No test or benchmark edits sys.path to import its helpers (they live in `<name>/testing.py`).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
from plc_shared.components import PROCESSES, SERVICES

ROOT = Path(__file__).resolve().parent.parent
TOP = frozenset(
    {
        "__init__",
        "main",
        "config",
        "models",
        "schemas",
        "exceptions",
        "auth",
        "endpoints",
        "service",
        "repository",
        "rules",
        "consumers",
        "events",
        "testing",
        "cli",
    }
)
# A sub-domain folder holds only these files; one that serves HTTP has the four (endpoints, service,
# repository, schemas). A consumer-side sub-domain (no routes) omits endpoints and, if it has no
# transactions of its own, service.
SUB_DOMAIN = frozenset({"__init__", "endpoints", "service", "repository", "schemas", "rules"})
WITH_ROUTES = frozenset({"endpoints", "service", "repository", "schemas"})


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


def modules(name: str) -> dict[str, Path]:
    """Dotted module name → file, for every .py file of the package."""
    base = package_dir(name)
    found = {}
    for path in sorted(base.rglob("*.py")):
        parts = [name, *path.relative_to(base).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(path: Path, module: str, known: dict[str, Path]) -> set[str]:
    """The package's own modules that `module` imports anywhere in its file (functions included)."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            out.add(base)
            out |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in out if name in known and name != module}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


@pytest.mark.parametrize("name", [c.name for c in SERVICES])
def test_a_service_holds_the_fixed_modules_and_sub_domain_folders_of_four_files(name):
    base = package_dir(name)
    top = {p.stem for p in base.glob("*.py")}
    assert top <= TOP, f"{name}: modules outside the fixed set: {sorted(top - TOP)}"
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and p.name != "__pycache__"):
        files = {p.stem for p in folder.glob("*.py")}
        assert not [p for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__"], folder
        extra = files - SUB_DOMAIN
        assert not extra, f"{name}/{folder.name}: files outside the sub-domain shape: {sorted(extra)}"
        assert files - {"__init__"}, f"{name}/{folder.name}: an empty sub-domain"
        if "endpoints" in files:
            missing = WITH_ROUTES - files
            assert not missing, f"{name}/{folder.name}: serves HTTP but lacks {sorted(missing)}"


# The web app (no database, no events: pages over the public API) has its own shape, so it is not held to the
# service module list above; it is held to these package-wide rules like every other process.
@pytest.mark.parametrize("name", ["plc_shared", "plc_warehouse", *(c.name for c in PROCESSES)])
def test_no_import_cycles_inside_a_package(name):
    known = modules(name)
    graph = {module: imported(path, module, known) for module, path in known.items()}
    # A package's __init__ runs before its modules; an import of the package itself is not a cycle.
    graph = {m: {n for n in deps if not m.startswith(f"{n}.")} for m, deps in graph.items()}
    found = cycle(graph)
    assert found is None, " → ".join(found or [])


def test_plc_shared_imports_no_service():
    others = {c.name for c in PROCESSES} | {"plc_warehouse"}
    for path in sorted(package_dir("plc_shared").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            leaked = {n.split(".")[0] for n in names} & others
            assert not leaked, f"{path.relative_to(ROOT)} imports {sorted(leaked)}"


def test_no_sys_path_edits_in_tests_or_benchmarks():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("tests", "bench", "services", "shared", "gateway", "warehouse", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if ".venv" not in path.parts and "sys.path" in path.read_text() and path != Path(__file__).resolve()
    ]
    assert offenders == []
