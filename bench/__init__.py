"""A benchmark of RepairCase against a bare one-update workflow: `python -m bench.run`."""
