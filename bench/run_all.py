"""Run every benchmark and write its section of docs/PERFORMANCE.md (`make bench`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = [
    ["bench/bench_login.py", "--write"],
    ["bench/bench_pdf_fonts.py", "--write"],
    ["bench/bench_children.py", "--write"],
    ["bench/bench_volunteers.py", "--write"],
    ["bench/bench_concurrency.py", "--write"],
    ["bench/bench_schedule.py", "--write"],
    ["bench/bench_schedule_concurrency.py", "--write"],
]


def main() -> int:
    failed = 0
    for bench in BENCHES:
        print(f"== {' '.join(bench)}", flush=True)
        failed += subprocess.run([sys.executable, *bench], cwd=ROOT).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
