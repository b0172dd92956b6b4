"""The worker passes the `workflows` package through the sandbox (worker.py): every workflow run
shares one import of its modules. That is only safe while no function there changes a
module-level name, which a run would then leave behind for the next one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).parent.parent / "workflows"
MUTATING_METHODS = {"append", "extend", "insert", "update", "add", "pop", "popitem", "remove",
                    "clear", "setdefault", "discard", "sort", "reverse"}  # fmt: skip


def module_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def changes_to_module_state(tree: ast.Module) -> list[str]:
    """Each place where a function changes a module-level name, as `line: what`."""
    shared = module_names(tree)
    found = [
        (node.lineno, change)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if (change := _change(node, shared))
    ]
    return [f"{line}: {change}" for line, change in sorted(found)]


def _change(node: ast.AST, shared: set[str]) -> str | None:
    """What `node` does to a module-level name, if it changes one."""
    if isinstance(node, ast.Global | ast.Nonlocal):
        return f"global {', '.join(node.names)}"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in shared
        and node.func.attr in MUTATING_METHODS
    ):
        return f"{node.func.value.id}.{node.func.attr}(…)"
    targets = (
        [node.target] if isinstance(node, ast.AugAssign)
        else node.targets if isinstance(node, ast.Assign | ast.Delete)
        else []
    )  # fmt: skip
    for target in targets:
        if (
            isinstance(target, ast.Subscript | ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in shared
        ):
            return f"{target.value.id} changed"
    return None


@pytest.mark.parametrize(
    "path", sorted(WORKFLOWS.rglob("*.py")), ids=lambda p: str(p.relative_to(WORKFLOWS))
)
def test_no_function_changes_module_level_state(path: Path) -> None:
    assert changes_to_module_state(ast.parse(path.read_text())) == []


def test_the_check_finds_a_change_to_module_state() -> None:
    source = "SEEN = []\nCOUNTS = {}\ndef f(x):\n    SEEN.append(x)\n    COUNTS[x] = 1\n"
    found = changes_to_module_state(ast.parse(source))
    assert found == ["4: SEEN.append(…)", "5: COUNTS changed"]
