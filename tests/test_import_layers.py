"""The shape of the package: no import circle, no import from a lower layer to a higher one, no
module over about 450 lines.

Every import counts, at the top of a module, inside a function (lazy) or under ``TYPE_CHECKING``:
those are where circles hide. Known exceptions are listed edge by edge with the helper who removes
them, so that any new edge fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "iam_saas_lint"
ROOT = "iam_saas_lint"
MAX_LINES = 450

#: Which groups a group may import (besides itself). Everything not named here (engine, cli, api,
#: discovery, cache, executor, config, suppress, variants, …) is the application layer: it may import
#: anything, as long as no circle forms.
ALLOWED: dict[str, set[str]] = {
    "records": set(),  # below every layer: how the package declares its records (dataclass-like classes)
    "patterns": set(),  # below every layer too: regular expressions compiled on first use
    "digest": set(),  # below every layer too: SHA-256 without loading OpenSSL
    "model": {"records", "patterns", "digest"},
    "sources": {"model", "records", "patterns", "digest"},
    "findings": {"records", "patterns", "digest"},
    "fixes": {"model", "records", "patterns", "digest"},
    "rules": {"model", "findings", "fixes", "records", "patterns", "digest"},
    "report": {"findings", "records", "patterns", "digest"},
}

#: Edges that break the layers today, each with who removes it.
KNOWN_LAYER_EXCEPTIONS: set[tuple[str, str]] = set()
#: Circles that exist today, each with who cuts it.
KNOWN_CIRCLES: set[frozenset[str]] = set()
#: Modules over the limit today, each with who splits it.
KNOWN_LONG: set[str] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith(ROOT)]
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    elif (node.module or "").startswith(ROOT):
        base = str(node.module)
    else:
        return []
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports. The package's own ``__init__`` is left out: it is
    the public facade (lazy re-exports of the API) and everything may take ``__version__`` from it."""
    known = _modules()
    graph: dict[str, set[str]] = {module: set() for module in known if module != ROOT}
    for module in graph:
        path = known[module]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module].update(t for t in _targets(module, path, node, known) if t in graph and t != module)
    return graph


def group(module: str) -> str:
    return module.split(".")[1]


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_the_graph_sees_lazy_and_type_checking_imports() -> None:
    graph = import_graph()
    assert "iam_saas_lint.sources.text.paths" in graph["iam_saas_lint.sources.terraform"]  # inside a function
    assert "iam_saas_lint.sources" in graph["iam_saas_lint.executor"]  # under TYPE_CHECKING


def test_no_import_circle() -> None:
    assert sorted(map(sorted, set(circles(import_graph())) - KNOWN_CIRCLES)) == []


def test_the_cycle_finder_finds_circles() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]


def test_no_import_from_a_lower_layer_to_a_higher_one() -> None:
    wrong = set()
    for module, targets in import_graph().items():
        layer = group(module)
        if layer not in ALLOWED:
            continue
        for target in targets:
            if group(target) != layer and group(target) not in ALLOWED[layer]:
                wrong.add((module, target))
    assert sorted(wrong - KNOWN_LAYER_EXCEPTIONS) == []


def test_known_exceptions_still_exist() -> None:
    """When an owner removes one, it leaves this list too (or the list would hide its return)."""
    graph = import_graph()
    assert {(a, b) for a, b in KNOWN_LAYER_EXCEPTIONS if b not in graph.get(a, set())} == set()
    assert set(circles(graph)) >= KNOWN_CIRCLES


def test_no_module_over_about_450_lines() -> None:
    long = {
        str(path.relative_to(REPO))
        for path in PACKAGE.rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert sorted(long - KNOWN_LONG) == []
