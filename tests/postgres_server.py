"""A throwaway PostgreSQL cluster on loopback, for machines where none is configured."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.ports import free_port


class Cluster:
    """A cluster this test process runs: its URL, and a restart (for fault injection)."""

    def __init__(self, bin_dir: Path, workdir: Path, port: int, as_postgres: list[str]) -> None:
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        self._pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(workdir / "data")]
        self._log = workdir / "log"
        self._options = f"-h 127.0.0.1 -p {port} -k {workdir}"

    def start(self) -> None:
        self._ctl("-l", str(self._log), "-w", "-o", self._options, "start")

    def restart(self) -> None:
        """Stop at once (open connections are cut), then start again."""
        self._ctl("-l", str(self._log), "-w", "-m", "fast", "-o", self._options, "restart")

    def stop(self) -> None:
        subprocess.run([*self._pg_ctl, "-m", "fast", "stop"], capture_output=True)

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self._pg_ctl, *args], check=True, capture_output=True)


@contextmanager
def throwaway_cluster(bin_dir: Path) -> Iterator[Cluster]:
    """initdb, start on a free loopback port, yield the cluster, stop and remove it."""
    workdir = Path(tempfile.mkdtemp(prefix="repairdesk-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(workdir, "postgres")
    subprocess.run(
        [*as_postgres, str(bin_dir / "initdb"), "-D", str(workdir / "data"), "-A", "trust"]
        + ["-U", "postgres"],
        check=True,
        capture_output=True,
    )
    cluster = Cluster(bin_dir, workdir, free_port(), as_postgres)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def throwaway_postgres(bin_dir: Path) -> Iterator[str]:
    """initdb, start on a free loopback port, yield its URL, stop and remove it."""
    with throwaway_cluster(bin_dir) as cluster:
        yield cluster.url


def postgres_binaries() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None
