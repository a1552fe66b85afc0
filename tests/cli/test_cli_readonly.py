"""A database nobody may write: a team loads plans once and shares the file read-only (a network
share, a read-only medium, another user's folder). Every command that reads must answer from it
and leave it as it was, byte for byte; a database that needs converting says so and how.

The tests run as root in CI, where file modes stop no write. So the database is put where root
cannot write either: a read-only bind mount in a mount namespace of the command's own
(``unshare``), or, for a read-only folder and file, a root without the capabilities that pass
over file modes (``setpriv``). As another user, the modes themselves do it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from extract import store
from tests.conftest import ROOT

PLANEX = [sys.executable, "-m", "extract.cli"]
IS_ROOT = os.geteuid() == 0
DAC_CAPS = "-dac_override,-dac_read_search,-fowner"


def _read_only_mount(folder: Path, command: list[str]) -> list[str]:
    """``command`` run where ``folder`` is a read-only bind mount of itself (a read-only medium)."""
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, "sh", str(folder), *command]


def _without_override(folder: Path, command: list[str]) -> list[str]:
    """``command`` run by a root that file modes bind (no CAP_DAC_OVERRIDE), or by this user."""
    if not IS_ROOT:
        return command
    return ["setpriv", f"--bounding-set={DAC_CAPS}", f"--inh-caps={DAC_CAPS}", "--", *command]


VIEWS: dict[str, Callable[[Path, list[str]], list[str]]] = {
    "read-only medium": _read_only_mount,
    "read-only folder of another user": _without_override,
}


@pytest.fixture(params=list(VIEWS))
def shared(request: pytest.FixtureRequest, db_path: Path, tmp_path: Path) -> Iterator[tuple[Path, Callable]]:
    """A copy of the corpus database in a folder of its own, made read-only in each way, and the
    wrapper that runs a command where it cannot be written. The copy is a WAL database without
    its -wal and -shm files, as a finished load leaves it."""
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "plans.db"
    shutil.copyfile(db_path, db)
    assert db.read_bytes()[18:20] == b"\x02\x02"  # the header's read and write versions: WAL
    view = VIEWS[request.param]
    if request.param == "read-only medium" and not IS_ROOT:
        view = _without_override  # a user cannot mount; modes stop this user's writes
    db.chmod(0o444)
    folder.chmod(0o555)
    probe = subprocess.run(view(folder, ["touch", str(folder / "probe")]), capture_output=True, text=True)
    assert probe.returncode != 0 and not (folder / "probe").exists(), "the folder is still writable"
    yield db, lambda command: view(folder, command)
    folder.chmod(0o755)


def _run(wrapped: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(wrapped, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})  # fmt: skip


def test_every_reading_command_answers_and_writes_nothing(shared, tmp_path: Path) -> None:
    db, view = shared
    before = db.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    commands = {
        "search": ["search", "健診", "--db", str(db), "--limit", "3"],
        "search --by": ["search", "受診勧奨", "--by", "branch", "--db", str(db), "--json"],
        "show": ["show", "北海道", "--db", str(db)],
        "plans": ["plans", "--db", str(db)],
        "kpis": ["kpis", "--db", str(db), "--indicator", "generic_share"],
        "programs": ["programs", "--db", str(db), "--limit", "2"],
        "info": ["info", "--db", str(db)],
        "compare": ["compare", "ジェネリック医薬品の使用促進", "--db", str(db)],
        "export kpis": ["export", "kpis", "--db", str(db), "--out", str(out / "kpis.csv")],
        "export workbook": ["export", "workbook", "--db", str(db), "--out", str(out / "plans.xlsx")],
    }
    for name, args in commands.items():
        result = _run(view([*PLANEX, *args]), tmp_path)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        assert "readonly" not in result.stderr and "error" not in result.stderr, f"{name}: {result.stderr}"
    assert (out / "kpis.csv").stat().st_size > 10_000 and (out / "plans.xlsx").exists()
    assert json.loads(_run(view([*PLANEX, *commands["search --by"]]), tmp_path).stdout)
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["plans.db"]  # no -wal, -shm or journal


def test_serve_answers_from_a_read_only_database(shared, tmp_path: Path) -> None:
    db, view = shared
    before = db.read_bytes()
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(view([*PLANEX, "serve", "--db", str(db), "--port", str(port)]), cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/plans"
        response = _first_answer(process, f"{url}/search.json", {"q": "健診", "_shape": "array"})
        assert response.status_code == 200, response.text
        assert any("健診" in row["sentence"] for row in response.json())
        kpis = httpx.get(f"{url}/kpis.json", params={"_shape": "array", "_size": "5"}, timeout=30)
        assert kpis.status_code == 200 and len(kpis.json()) == 5
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        log.close()
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["plans.db"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _first_answer(process: subprocess.Popen, url: str, params: dict) -> httpx.Response:
    """The server's first answer to ``url``; the test fails if the server exits instead, or
    never answers within two minutes (a guard against a hang, not a measure of speed)."""
    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(f"planex serve exited with {process.returncode}")
        try:
            return httpx.get(url, params=params, timeout=30)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("planex serve never answered")


def test_a_database_from_an_older_planex_says_how_to_convert_it(db_path: Path, tmp_path: Path) -> None:
    """Reading converts nothing: the message names ``planex upgrade``; that converts it."""
    db = tmp_path / "old.db"
    shutil.copyfile(db_path, db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"pragma user_version = {store.SCHEMA_VERSION - 1}")
    before = db.read_bytes()
    for args in (["search", "健診"], ["kpis"], ["export", "kpis", "--out", str(tmp_path / "k.csv")]):
        result = _run([*PLANEX, *args, "--db", str(db)], tmp_path)
        assert result.returncode == 1, result.stderr
        assert "older planex" in result.stderr and f"planex upgrade --db {db}" in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert db.read_bytes() == before and not (tmp_path / "k.csv").exists()
    upgraded = _run([*PLANEX, "upgrade", "--db", str(db)], tmp_path)
    assert upgraded.returncode == 0 and f"to {store.SCHEMA_VERSION}" in upgraded.stderr
    assert _run([*PLANEX, "search", "健診", "--db", str(db)], tmp_path).returncode == 0
    again = _run([*PLANEX, "upgrade", "--db", str(db)], tmp_path)
    assert again.returncode == 0 and "up to date" in again.stderr
