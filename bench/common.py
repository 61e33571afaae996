"""Shared pieces for the benchmarks: a temporary app instance, gunicorn servers, a load client,
and writing a result section into docs/PERFORMANCE.md (between markers, so sections coexist)."""
from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
REPORT = ROOT / "docs" / "PERFORMANCE.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def instance_env(instance: Path, **extra) -> dict:
    env = {**os.environ, "HUHANG_INSTANCE": str(instance), "FLASK_APP": "wsgi.py", "SECRET_KEY": "bench-secret"}
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


def prepare_demo_instance() -> Path:
    """A fresh SQLite instance, migrated and filled with the demo data."""
    instance = Path(tempfile.mkdtemp(prefix="huhang-bench-"))
    env = instance_env(instance)
    subprocess.run([VENV_BIN / "flask", "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([VENV_BIN / "flask", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    return instance


@contextmanager
def gunicorn(app_spec: str, env: dict, workers: int = 2, *, config: bool = False):
    """Serve ``app_spec`` with gunicorn on a free port; yields the port (``.pid`` of the master in
    ``gunicorn.master_pid``). ``config=True``: with the production settings, ``-c gunicorn.conf.py``."""
    port = free_port()
    command = [VENV_BIN / "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    if config and (ROOT / "gunicorn.conf.py").exists():
        command += ["-c", "gunicorn.conf.py"]
    else:  # gunicorn would read ./gunicorn.conf.py by itself
        command += ["-c", str(ROOT / "bench" / "gunicorn_bare.conf.py")]
    proc = subprocess.Popen([*command, app_spec], cwd=ROOT, env=env)
    gunicorn.master_pid = proc.pid
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        # every worker up (post_worker_init done) before anything is measured
        for _ in range(300):
            if len(worker_pids(proc.pid)) >= workers:
                break
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- worker CPU, read from /proc (Linux) -------------------------------------------------------------
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as fh:
        text = fh.read()
    return text[text.rindex(")") + 2:].split()  # fields after "pid (comm)"


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat_fields(int(entry))[1]) == master:
                    pids.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return sorted(pids)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def pss_mib(pids: list[int]) -> float:
    """Proportional set size of ``pids`` (shared pages split between the processes sharing them)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total / 1024


def worker_cpu_per_request(port: int, master: int, path: str, count: int, *, threads: int = 4,
                           headers: dict | None = None, expect: int = 200) -> float:
    """Seconds of worker CPU (all workers of ``master``) per request, over ``count`` requests of
    ``path`` sent by ``threads`` clients."""
    pids = worker_pids(master)
    lock = threading.Lock()
    left = [count]
    failures = []

    def client():
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            response, _ = request(port, path, headers=headers)
            if response.status != expect:
                failures.append(response.status)

    before = cpu_seconds(pids)
    pool = [threading.Thread(target=client) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    after = cpu_seconds(pids)
    if failures:
        raise AssertionError(f"{path}: {len(failures)} responses not {expect} (e.g. {failures[0]})")
    return (after - before) / count


def request(port: int, path: str, method: str = "GET", body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def load(port: int, path: str, *, seconds: float = 8.0, threads: int = 8, headers: dict | None = None,
         expect: int = 200) -> dict:
    """Requests per second and latency percentiles for ``threads`` clients hitting ``path``."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker():
        nonlocal errors
        while time.perf_counter() < stop:
            start = time.perf_counter()
            response, _ = request(port, path, headers=headers)
            elapsed = time.perf_counter() - start
            with lock:
                if response.status != expect:
                    errors += 1
                latencies.append(elapsed)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    begin = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    total = time.perf_counter() - begin
    latencies.sort()
    return {"rps": len(latencies) / total, "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000, "requests": len(latencies), "errors": errors}


def write_section(name: str, markdown: str) -> None:
    """Replace (or add) the section ``name`` of docs/PERFORMANCE.md."""
    REPORT.parent.mkdir(exist_ok=True)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else (
        "# Performance\n\nMeasured by the scripts in `bench/` (`make bench`), as ratios against a baseline "
        "measured in the same run on the same machine. Absolute numbers depend on the machine; the ratios "
        "are what to compare between runs.\n")
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text, encoding="utf-8")


def machine() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"
