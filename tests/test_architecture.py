"""The package's folders are its architecture: imports go one way, without cycles."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "extract"

# What each group may import from the package (besides itself).
ALLOWED = {
    "stages": {"extract", "extract.paths", "extract.models", "extract.watchdog"},
    "inputs": {"extract", "extract.paths", "extract.models", "extract.watchdog", "extract.stages"},
    "runs": {"extract", "extract.paths", "extract.models", "extract.version", "extract.pipeline", "extract.watchdog",
             "extract.stages", "extract.inputs"},
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("extract"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("extract"))
    return out


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


def test_no_relative_imports_and_groups_import_one_way():
    for name, path in MODULES.items():
        group = name.split(".")[1] if name.count(".") >= 2 else None
        if group not in ALLOWED:
            continue
        for imp in imports(path, top_level_only=False):
            if imp not in MODULES or imp.startswith(f"extract.{group}"):
                continue
            assert any(imp == a or imp.startswith(a + ".") for a in ALLOWED[group] if a != "extract") \
                or imp == "extract", f"{name} imports {imp}"


def test_no_import_cycles_at_module_level():
    graph = {n: {i for i in imports(p, top_level_only=True) if i in MODULES and i != n} for n, p in MODULES.items()}
    # a package's __init__ is imported with any of its modules; it imports nothing of theirs here
    state: dict[str, int] = {}

    def visit(n, stack):
        state[n] = 1
        for m in graph[n]:
            if state.get(m) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack + [n, m]))
            if not state.get(m):
                visit(m, stack + [n])
        state[n] = 2

    for n in graph:
        if not state.get(n):
            visit(n, [])


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, as a path, or None."""
    state: dict[str, int] = {}

    def visit(n, stack):
        state[n] = 1
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return stack + [n, m]
            if not state.get(m):
                found = visit(m, stack + [n])
                if found:
                    return found
        state[n] = 2
        return None

    for n in sorted(graph):
        if not state.get(n):
            found = visit(n, [])
            if found:
                return found
    return None


def test_no_import_cycles_even_inside_functions():
    """A cycle hidden in a function-level import (runs/run <-> parallel <-> engine_dask,
    authoring/coverage <-> tools, issue 18) still ties the modules together."""
    graph = {n: {i for i in imports(p, top_level_only=False) if i in MODULES and i != n} for n, p in MODULES.items()}
    found = _cycle(graph)
    assert found is None, "import cycle: " + " -> ".join(found)


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
