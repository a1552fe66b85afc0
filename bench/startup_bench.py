"""make bench: how long a command that only reads waits before it answers, from a cold start.

Every ``planex search`` is a new process: Python, the command line, the database opened
read-only, the query, the answer. The figure a user feels is that whole wall time, measured
here over ROUNDS runs of each command against the corpus database (built once, by the loader,
into a temporary folder), beside a bare ``python -c pass`` (what any Python command costs). The
slowest run is printed too: the first run after the build pays for a cold file cache.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANEX = [sys.executable, "-m", "extract.cli"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "planex --version": [*PLANEX, "--version"],
    "planex search 健診": [*PLANEX, "search", "健診", "--limit", "20"],
    "planex search 受診勧奨 --by branch": [*PLANEX, "search", "受診勧奨", "--by", "branch"],
    "planex kpis --indicator generic_share": [*PLANEX, "kpis", "--indicator", "generic_share"],
}


def wall_times(command: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "plans.db"
        subprocess.run([*PLANEX, "load", str(ROOT / "corpus" / "pdfs"), "--db", str(db), "-q", "--json"],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        print(f"\ncold start of a reading command ({args.rounds} runs each, corpus database)")
        print(f"{'command':44} {'median s':>9} {'max s':>7}")
        for name, command in COMMANDS.items():
            full = command if name.startswith(("python", "planex --version")) else [*command, "--db", str(db)]
            times = wall_times(full, args.rounds)
            print(f"{name:44} {statistics.median(times):9.3f} {max(times):7.3f}")


if __name__ == "__main__":
    main()
