"""When the machine is the cause — a read-only folder, a full disk, a damaged warehouse file —
`cdp run` ends with one line that names it, the path and what to do: no traceback, no blame on
credentials, and at once rather than after loading the stack. Real file systems: small tmpfs
mounts (the suite runs as root, as CI does; elsewhere these skip)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdp.core.failures import machine_cause

CDP = str(Path(sys.executable).parent / "cdp")


@pytest.fixture
def mount(tmp_path):
    """mount(folder, options) mounts a tmpfs there; unmounted at the end."""
    mounted = []

    def make(folder: Path, options: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield make
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def exports(tmp_path) -> Path:
    for system in ("website", "crm", "social", "pos"):
        (tmp_path / "exports" / system).mkdir(parents=True)
    return tmp_path / "exports"


def _run(exports: Path, warehouse: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CDP, "run", "--exports-dir", str(exports), "--warehouse",
                           str(warehouse)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CDP_REPORTS_DIR": str(warehouse.parent / "r")})


def _last_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stdout + done.stderr
    return (done.stdout + done.stderr).strip().splitlines()[-1]


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
def test_a_read_only_warehouse_folder_is_named(tmp_path, exports, mount):
    folder = mount(tmp_path / "readonly", "ro,size=1m")

    done = _run(exports, folder / "cdp.duckdb")

    assert done.returncode == 1
    assert _last_line(done) == (
        f"error: cannot write {folder}/cdp.duckdb (the file system is read-only): "
        f"give the user running cdp write access to {folder}, or point --warehouse at a "
        "writable folder. Nothing was published.")


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
def test_a_full_disk_is_named_with_the_space_left(tmp_path, exports, mount):
    folder = mount(tmp_path / "small", "size=8m")

    done = _run(exports, folder / "cdp.duckdb")

    assert done.returncode == 1
    line = _last_line(done)
    assert line.startswith(f"error: the disk holding {folder} is full (")
    assert "MB free" in line and "free some space, then run again" in line


def test_a_damaged_warehouse_file_is_named_with_how_to_recover(tmp_path, exports):
    warehouse = tmp_path / "warehouse" / "cdp.duckdb"
    warehouse.parent.mkdir()
    warehouse.write_bytes(os.urandom(300_000))

    done = _run(exports, warehouse)

    assert done.returncode == 1
    line = _last_line(done)
    assert line.startswith(f"error: the warehouse file {warehouse} is damaged (")
    assert "not a valid DuckDB database file" in line
    assert "rebuild it from the raw exports" in line and "credentials" not in line


def test_a_step_failing_for_the_machine_reads_as_the_machine():
    assert machine_cause('IO Error: Could not write all bytes to file "/data/w/cdp.duckdb.wal"'
                         ": No space left on device").startswith(
        "error: the disk holding /data/w is full (")
    assert machine_cause("[Errno 30] Read-only file system: '/data/w/logs/run.log'") \
        .startswith("error: cannot write /data/w/logs/run.log (the file system is read-only)")
    assert machine_cause("Binder Error: column x not found") is None
