"""A fresh SQLite archive holding one in-warranty machine per benchmark case.

The equipment goes in as the call centre's operators load it: a CSV file through the real
importer (`repairdesk archive import`).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from activities.archive.db import archive
from activities.archive.importer import COLUMNS, import_equipment

MACHINES_PER_CUSTOMER = 100


def customer_of(serial_no: int) -> str:
    return f"BENCH-CUST-{serial_no // MACHINES_PER_CUSTOMER}"


def serial(serial_no: int) -> str:
    return f"BENCH-SN-{serial_no}"


def write_csv(path: Path, machines: int) -> None:
    started = (date.today() - timedelta(days=30)).isoformat()
    with path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(COLUMNS)
        for n in range(machines):
            customer = customer_of(n)
            name = f"Customer {customer}"
            rows.writerow([customer, name, serial(n), "Chiller CW-400", "Plant 1", started, 24])


def seed_archive(folder: Path, machines: int) -> str:
    """The URL of a new archive in `folder` with `machines` machines, all under warranty."""
    url = f"sqlite:///{folder / 'archive.db'}"
    path = folder / "equipment.csv"
    write_csv(path, machines)
    summary = import_equipment(archive(url), path)
    assert summary.new_equipment == machines, summary
    return url
