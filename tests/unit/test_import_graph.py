"""The shape of the code, checked: no import cycle among the modules of `visits/`, and the operation types named
in Python only (the browser reads them from the page, so a new type cannot be forgotten in one of the scripts)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "visits"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / PACKAGE).rglob("*.py"))}


def imported_names(name: str, path: Path) -> set[str]:
    """Every module `name` imports, at the top or inside a function (a lazy import still closes a cycle), with
    relative imports resolved and `from package import module` counted as importing that module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of `visits/` it imports (names that are not modules, such as classes, drop out)."""
    known = modules()
    return {name: {other for other in imported_names(name, path) if other in known and other != name}
            for name, path in known.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None: a depth-first walk that meets a module still on its own path."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for following in sorted(graph[node]):
            if cycle := visit(following):
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if cycle := visit(start):
            return cycle
    return None


def test_the_cycle_finder_reports_a_cycle_it_is_given():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_of_visits_imports_itself_through_others():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def operation_types() -> tuple[str, ...]:
    from visits.operations.registry import OPERATION_TYPES

    return tuple(OPERATION_TYPES)


BROWSER_CODE = sorted((ROOT / "static" / "js").glob("*.js")) + [ROOT / "service_worker" / "sw.js"]


@pytest.mark.parametrize("script", BROWSER_CODE, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_browser_script_spells_out_an_operation_type(script):
    text = script.read_text(encoding="utf-8")
    spelled = [op_type for op_type in operation_types()
               if re.search(r"""(['"`])""" + re.escape(op_type) + r"\1", text)]
    assert not spelled, f"{script.name} names operation types the page should hand it: {spelled}"
