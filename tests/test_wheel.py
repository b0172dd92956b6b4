"""A wheel install is whole: built from the sources and installed (not editable) into a fresh
virtualenv, it finds the sample archive that `repairdesk dev --demo` loads, through the same
function."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]

# Run by the installed package: `starter` must come from the virtualenv, not the checkout.
CHECK = """
import asyncio, sys
from pathlib import Path
from activities.settings import Settings
from starter import demo
assert Path(demo.__file__).is_relative_to(sys.prefix), demo.__file__
loaded = asyncio.run(demo.load_sample(Settings.from_env()))
print(loaded.customers, loaded.equipment)
"""


def copy_sources(into: Path) -> None:
    """What the wheel is built from, copied, so the build leaves nothing in the checkout."""
    into.mkdir()
    for name in ("pyproject.toml", "README.md", *(f"{m}.py" for m in SETUPTOOLS["py-modules"])):
        shutil.copy2(ROOT / name, into / name)
    for pattern in SETUPTOOLS["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / package, into / package, ignore=ignore)


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_installed_wheel_loads_the_sample_archive(tmp_path: Path) -> None:
    copy_sources(source := tmp_path / "src")
    pip = (sys.executable, "-m", "pip", "-q", "--disable-pip-version-check")
    run(*pip, "wheel", "--no-deps", "-w", tmp_path, source, cwd=tmp_path)
    (wheel,) = tmp_path.glob("repairdesk-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", venv := tmp_path / "venv", cwd=tmp_path)
    python = venv / "bin" / "python"
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    # The dependencies are this virtualenv's, added as a plain path: .pth files there (the
    # checkout's editable install among them) are not read, so only the wheel's code is found.
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(run(python, "-c", purelib, cwd=tmp_path).strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {**os.environ, "REPAIRDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'archive.db'}"}
    env.pop("PYTHONPATH", None)
    assert run(python, "-c", CHECK, cwd=tmp_path, env=env).split() == ["3", "4"]
