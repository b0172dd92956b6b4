"""Workflow code: deterministic, no I/O. The RepairCase workflow, its messages and the rules."""
