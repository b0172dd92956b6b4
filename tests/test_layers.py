"""Imports run one way (docs/architecture.md, Layers): each top-level package imports only
itself and the packages below it, and no two packages import each other, except the loops
listed here with their reason. A new import that breaks the rule, or a new loop, fails CI."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workflows", "activities", "client", "web", "starter")
MODULES = ("worker",)

# What each top-level package may import of repairdesk, besides itself. `starter` (the
# `repairdesk` command) is the outer layer: `repairdesk serve`, `dev` and `worker` run the HTTP
# server and the worker. `web` and `worker.py` share `client` and never import each other.
MAY_IMPORT = {
    "workflows": set(),
    "activities": {"workflows"},
    "client": {"activities", "workflows"},
    "worker": {"client", "activities", "workflows"},
    "web": {"client", "activities", "workflows"},
    "starter": {"web", "worker", "client", "activities", "workflows"},
}

# Imports against the rule that stand today, each with its reason; remove one when it goes.
EXCEPTIONS: set[tuple[str, str]] = set()

# Groups of folders that import each other today, with the reason; no other loop may appear.
# A unit is a top-level package, or one of its sub-packages (`activities.archive`).
KNOWN_LOOPS = {
    # One case event is one transaction: activities/archive/case_event.py writes the case row,
    # the outbox (notices.outbox) and the ledger (finance.ledger) and rings the doorbell
    # (delivery.doorbell), while the outbox, ledger and relay read and write the archive's
    # tables (archive.schema) and share settings and logging at the root of activities/.
    frozenset(
        {
            "activities",
            "activities.archive",
            "activities.delivery",
            "activities.finance",
            "activities.notices",
        }
    ),
    # RepairCase hands a case opened under v1.0 to the frozen engine (workflows/v1_0/), which
    # reuses the stale-clock guard and the currency table of workflows/.
    frozenset({"workflows", "workflows.v1_0"}),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))
    for module in MODULES:
        yield ROOT / f"{module}.py"


def imports() -> Iterator[tuple[str, str]]:
    """(importer, imported) for every import of a repairdesk module, at any depth of a file."""
    tops = {*PACKAGES, *MODULES}
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from client import report_html` imports the module, not the package
                names = [
                    f"{node.module}.{a.name}"
                    if _is_module(f"{node.module}.{a.name}")
                    else node.module
                    for a in node.names
                ]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in tops:
                    yield module_name(path), name


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def unit(module: str) -> str:
    """The package, or the sub-package of a package, a module belongs to."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[0] / parts[1]).is_dir()):
        return ".".join(parts[:2])
    return parts[0]


def loops(edges: set[tuple[str, str]]) -> set[frozenset[str]]:
    """The strongly connected groups of more than one unit (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while (member := stack.pop()) != node:
                group.add(member)
            group.add(node)
            if len(group) > 1:
                found.add(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_import_runs_down_the_layers() -> None:
    against = sorted(
        (importer, imported)
        for importer, imported in imports()
        if (low := imported.split(".")[0]) != (high := importer.split(".")[0])
        and low not in MAY_IMPORT[high]
        and (importer, imported) not in EXCEPTIONS
    )
    assert against == [], "imports against the layers (docs/architecture.md):\n" + "\n".join(
        f"  {importer} imports {imported}" for importer, imported in against
    )


def test_every_exception_still_stands() -> None:
    assert set(imports()) >= EXCEPTIONS, "an exception no longer needed: remove it"


def test_no_loop_but_the_known_ones() -> None:
    edges = {
        (unit(importer), unit(imported))
        for importer, imported in imports()
        if unit(importer) != unit(imported) and (importer, imported) not in EXCEPTIONS
    }
    assert loops(edges) == KNOWN_LOOPS
