"""Workflow code is deterministic: nothing under workflows/ reads a clock, draws a random
number, makes an id from entropy or does I/O. The modules are passed through the sandbox for
speed (rules and the case file are imported once per worker, not once per case), so this test
is what keeps a non-deterministic call out of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).parent.parent / "workflows"
FORBIDDEN_CALLS = {
    "now": "workflow.now()",
    "utcnow": "workflow.now()",
    "today": "workflow.now()",
    "time": "workflow.now()",
    "monotonic": "workflow.now()",
    "perf_counter": "workflow.now()",
    "sleep": "workflow.sleep()",
    "uuid1": "uuid5 of the case and the event",
    "uuid4": "uuid5 of the case and the event",
    "random": "a key derived from the case",
    "randint": "a key derived from the case",
    "choice": "a key derived from the case",
    "open": "an activity",
    "getenv": "a setting passed in by an activity",
}
FORBIDDEN_IMPORTS = {
    "random",
    "os",
    "socket",
    "requests",
    "httpx",
    "smtplib",
    "sqlalchemy",
    "threading",
    "subprocess",
    "time",
}
ALLOWED = {("workflow", "now"), ("workflow", "sleep")}


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.split(".")[0] in FORBIDDEN_IMPORTS:
                    found.append(f"{path.name}:{node.lineno} imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value.id if isinstance(func.value, ast.Name) else ""
                name = func.attr
            elif isinstance(func, ast.Name):
                owner, name = "", func.id
            else:
                continue
            method_named_open = name == "open" and isinstance(func, ast.Attribute)
            if name in FORBIDDEN_CALLS and (owner, name) not in ALLOWED and not method_named_open:
                found.append(
                    f"{path.name}:{node.lineno} calls {name}(): use {FORBIDDEN_CALLS[name]}"
                )
    return found


@pytest.mark.parametrize(
    "path", sorted(WORKFLOWS.rglob("*.py")), ids=lambda p: str(p.relative_to(WORKFLOWS))
)
def test_workflow_code_makes_no_nondeterministic_call(path: Path) -> None:
    assert offences(path) == []


def test_the_check_catches_a_clock_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import random\nfrom datetime import datetime\nx = datetime.now()\n")
    assert len(offences(bad)) == 2
