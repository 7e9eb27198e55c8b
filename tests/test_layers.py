"""The code's layers (../shared/DESIGN.md) hold, and no module imports itself back.

Imports inside functions and under ``TYPE_CHECKING`` count like any other: a lazy import that
dodges a cycle at start-up is still a cycle in the design, and the next person to move it to
the top of its module meets the error at import time. The layer contracts live in
pyproject.toml (``[tool.importlinter]``) and also run from scripts/test.sh.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    imported = sorted(graph.find_modules_directly_imported_by(child))
                    work.append((child, iter(imported)))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def describe(graph: grimp.ImportGraph, group: list[str]) -> str:
    members = set(group)
    lines = []
    for module in group:
        for imported in sorted(graph.find_modules_directly_imported_by(module) & members):
            for detail in graph.get_import_details(importer=module, imported=imported):
                lines.append(f"  {module}:{detail['line_number']} {detail['line_contents']}")
    return "\n".join(lines)


def test_cycle_finder_sees_a_cycle_through_an_import_inside_a_function() -> None:
    graph = grimp.ImportGraph()
    graph.add_import(importer="pkg.models", imported="pkg.actions")
    graph.add_import(importer="pkg.actions", imported="pkg.models")
    graph.add_import(importer="pkg.actions", imported="pkg.audit")
    assert cycles(graph) == [["pkg.actions", "pkg.models"]]


def test_no_module_of_casework_imports_itself_back() -> None:
    graph = grimp.build_graph("casework", cache_dir=None)
    found = cycles(graph)
    assert not found, "import cycles (break them by moving code, not imports):\n" + "\n".join(
        describe(graph, group) for group in found
    )


def test_the_layer_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
