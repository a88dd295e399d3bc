"""The package's import graph, read from the source with ``ast``: no cycle, pages are siblings, layers point down.

The layers are ui/viz -> classroom -> engine -> physics, with ``serve`` and ``cli`` (the commands) on
top. Every ``import`` counts, including those inside functions: a lazy import that closes a cycle
still breaks when the two modules are loaded the other way round. Imports under
``if TYPE_CHECKING:`` never run, so they do not count.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "chaingame"
TOP = ("chaingame.ui", "chaingame.viz", "chaingame.serve", "chaingame.cli")  # may import anything below them


def module_files(root: Path = PACKAGE) -> dict[str, Path]:
    """``{dotted module name: file}`` for every module of the package (a package is its ``__init__``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _ancestors(name: str) -> list[str]:
    """``a.b.c`` -> ``[a, a.b]``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _run_time_nodes(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:``, which never run."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                todo.extend(child.orelse)
            else:
                todo.append(child)


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules that loading ``name`` runs, one statement at a time, as Python resolves them.

    ``import a.b.c`` and ``from a.b.c import x`` run ``a``, ``a.b`` and ``a.b.c`` (an ancestor of the
    importing module is already loading, so it adds nothing); ``from a.b import x`` also runs
    ``a.b.x`` when that is a module, and reads ``a.b``'s ``__init__`` when ``x`` is a name defined
    there, even if ``a.b`` is the importer's own package.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    own = {*_ancestors(name), name}
    found: set[str] = set()

    def run(target: str) -> None:
        found.update(m for m in (*_ancestors(target), target) if m in modules and m not in own)

    for node in _run_time_nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                run(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module
            run(source)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    run(f"{source}.{alias.name}")
                elif source in modules and source != name:
                    found.add(source)  # a name of the package's __init__ (its own package's too)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    files = module_files(root)
    return {name: imports_of(name, path, set(files)) for name, path in files.items()}


def reach(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module that loading ``start`` loads, directly or through others."""
    seen, todo = set(), list(graph[start])
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(graph.get(m, ()))
    return seen


def cycle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A shortest import path from ``start`` back to itself, or None."""
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for m in sorted(graph.get(path[-1], ())):
            if m == start:
                return [*path, m]
            if m not in seen:
                seen.add(m)
                paths.append([*path, m])
    return None


GRAPH = import_graph()


def test_the_graph_sees_the_package():
    """The walk found the layers it is about (else every test below would pass on nothing)."""
    assert {"chaingame.engine", "chaingame.classroom.service", "chaingame.ui.app", "chaingame.serve"} <= set(GRAPH)
    assert "chaingame.classroom.service" in GRAPH["chaingame.classroom"]
    assert "chaingame.engine" in reach(GRAPH, "chaingame.classroom.service")


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_itself_back(module):
    cycle = cycle_through(GRAPH, module)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


PAGES = {"chaingame.ui.host", "chaingame.ui.player", "chaingame.ui.debrief"}


def routed_pages() -> set[str]:
    """The module of every page in the app's route table."""
    routes = importlib.import_module("chaingame.ui.routes")
    return {f"chaingame.ui.{page.module}" for page in routes.PAGES}


def test_every_page_of_the_route_table_is_a_module():
    assert PAGES <= routed_pages() <= set(GRAPH)


try:  # a page added to the route table is checked like the others (a missing table fails the test above)
    PAGES |= routed_pages()
except ImportError:
    pass


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_imports_no_other_page_nor_the_app(page):
    """Pages share components, never each other; links come from the route table, not from ``app``."""
    others = (PAGES - {page}) | {"chaingame.ui.app"}
    assert not reach(GRAPH, page) & others, f"{page} loads {sorted(reach(GRAPH, page) & others)}"


def _top(module: str) -> bool:
    return any(module == t or module.startswith(t + ".") for t in TOP)


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if not _top(m)))
def test_lower_layers_never_load_the_pages_the_view_or_the_commands(module):
    """The classroom, the engine and the physics load without ui, viz, serve or cli."""
    up = sorted(m for m in reach(GRAPH, module) if _top(m))
    assert not up, f"{module} loads {up}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if not _top(m) and not m.startswith("chaingame.classroom")))
def test_the_engine_and_the_physics_never_load_the_classroom(module):
    down = sorted(m for m in reach(GRAPH, module) if m.startswith("chaingame.classroom"))
    assert not down, f"{module} loads {down}"


def test_the_checker_finds_a_cycle_through_a_packages_own_init(tmp_path):
    """A submodule reading a name of its package's ``__init__``, which imports it: a cycle; a sibling
    submodule imported with ``from . import`` is not, and a lazy import inside a function counts."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from .a import f\nLIMIT = 3\n")
    (pkg / "a.py").write_text("from . import b\n\ndef f():\n    from . import LIMIT\n    return LIMIT\n")
    (pkg / "b.py").write_text("def g():\n    from .c import h\n    return h\n")
    (pkg / "c.py").write_text("import pkg.b\n")
    graph = import_graph(pkg)
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg", "pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.b"}}
    assert cycle_through(graph, "pkg.a") == ["pkg.a", "pkg", "pkg.a"]
    assert cycle_through(graph, "pkg.b") == ["pkg.b", "pkg.c", "pkg.b"]
