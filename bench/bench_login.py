#!/usr/bin/env python3
"""Pages under gunicorn on district-size data: worker CPU per request, as a ratio against a bare
Flask route served the same way in the same run, with the SQL statements each page runs.

    .venv/bin/python bench/bench_login.py [--rounds 5] [--seconds 1.5] [--json out.json]
                                          [--before before.json] [--write]

* Data: bench/district.py (12 sites, ~5,000 children, 240 volunteers, ~8,000 hour entries), SQLite.
* Servers: the app with the production settings (`gunicorn -c gunicorn.conf.py`, 2 sync workers)
  and bench/hello.py (2 sync workers); 4 client threads.
* Measure: the workers' user+system CPU (/proc/<pid>/stat) before and after a fixed number of
  requests of one page (sized for ~--seconds of worker CPU); rounds interleave the pages; the median
  round counts. CPU time, unlike requests/s, barely moves when the machine is busy with other work.
* Query counts: one test-client pass over the same pages and data (SQLAlchemy events; PRAGMA and
  SAVEPOINT statements not counted).
* `--before` adds the figures of an earlier run (its --json) as a column; --write puts the table into
  docs/PERFORMANCE.md.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import (gunicorn, instance_env, machine, pss_mib, request, worker_cpu_per_request,  # noqa: E402
                    worker_pids, write_section)

WORKERS = 2


def pages(d) -> list[tuple[str, str, str, bool]]:
    """(key, label, path, signed in)"""
    return [
        ("login", "login page (anonymous)", "/auth/login", False),
        ("signed_in", "signed-in empty page (base.html only: the fixed cost)", "/bench/signed-in", True),
        ("home", "home `/home`", "/home", True),
        ("roster", "season roster (25 of 1,668 children)", f"/seasons/{d.season_id}/children", True),
        ("child", "one child's record (logged view)", f"/children/{d.child_id}", True),
        ("volunteer", "volunteer page", f"/volunteers/{d.profile_id}", True),
        ("queue", "pending-hours queue (85 entries)", f"/sites/{d.site_id}/hours/pending", True),
        ("ledger", "five-party ledger of a season", f"/seasons/{d.season_id}/ledger", True),
    ]


def build(instance: Path):
    """Migrate and fill the instance's database; count each page's SQL statements (test client)."""
    from flask_migrate import upgrade
    from sqlalchemy import event
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from district import build_district

    from tests.conftest import CsrfClient  # a fresh app context (and `g`) per request, as in production

    app = create_app(TestConfig(f"sqlite:///{instance / 'huhang.db'}", WTF_CSRF_ENABLED=False))
    app.test_client_class = CsrfClient
    counts = {}
    with app.app_context():
        upgrade(revision="heads")
        district = build_district()
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        anonymous, client = app.test_client(), app.test_client()
        response = client.post("/auth/login", data={"login": district.coordinator_login,
                                                     "password": district.password})
        assert response.status_code == 303, response.status_code
        for key, _label, path, signed_in in pages(district):
            if key == "signed_in":
                continue
            c = client if signed_in else anonymous
            assert c.get(path).status_code == 200, path
            statements.clear()
            c.get(path)
            counts[key] = len(statements)
        db.session.remove()
        db.engine.dispose()
    return district, counts


def signed_in_cookie(port: int, login: str, password: str) -> str:
    response, body = request(port, "/auth/login")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrf_token": token, "login": login, "password": password})
    response, _ = request(port, "/auth/login", "POST", form, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 303, response.status
    return next(c.split(";", 1)[0] for c in response.msg.get_all("Set-Cookie") if c.startswith("session="))


def sized_count(port, master, path, headers, seconds: float) -> int:
    """How many requests make about ``seconds`` of worker CPU (from a first batch of 40)."""
    per = worker_cpu_per_request(port, master, path, 40, headers=headers)
    return max(100, min(4000, int(seconds / max(per, 1e-4))))


def static_check(port: int, cookie: str) -> list[tuple[str, str, str, int, int]]:
    """The static files a signed-in page links to: URL, Cache-Control, Content-Encoding, sizes."""
    _, body = request(port, "/home", headers={"Cookie": cookie})
    rows = []
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+)"', body):
        url = url.decode().replace("&amp;", "&")
        plain, data = request(port, url)
        gz, zipped = request(port, url, headers={"Accept-Encoding": "gzip"})
        rows.append((url, plain.getheader("Cache-Control") or "", gz.getheader("Content-Encoding") or "-",
                     len(data), len(zipped)))
    return rows


def memory_check(env: dict, district) -> dict[str, float]:
    """Proportional set size (MiB) of the gunicorn master + 3 workers after 150 requests of /home
    (shared pages split between the processes sharing them): with the app preloaded in the master
    (gunicorn.conf.py) and without (HUHANG_PRELOAD=0); a tree without gunicorn.conf.py is measured
    with gunicorn's defaults only."""
    out = {}
    modes = ("1", "0") if (ROOT / "gunicorn.conf.py").exists() else ("none",)
    for preload in modes:
        with gunicorn("wsgi:app", {**env, "HUHANG_PRELOAD": preload}, 3, config=True) as port:
            master = gunicorn.master_pid
            cookie = {"Cookie": signed_in_cookie(port, district.coordinator_login, district.password)}
            worker_cpu_per_request(port, master, "/home", 150, threads=6, headers=cookie)
            out[{"1": "preload", "0": "no_preload", "none": "default"}[preload]] = pss_mib(
                [master, *worker_pids(master)])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5, help="worker CPU per page and round")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--before", help="figures of an earlier run (its --json), shown beside")
    parser.add_argument("--label", default="", help="what this run measures (e.g. a commit)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/PERFORMANCE.md")
    parser.add_argument("--memory-only", action="store_true", help="only the memory check (prints it)")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="huhang-bench-"))
    env = instance_env(instance)
    try:
        district, counts = build(instance)
        if args.memory_only:
            print(json.dumps(memory_check(env, district)))
            return 0
        todo = pages(district)
        cpu: dict[str, list[float]] = {key: [] for key, *_ in todo}
        cpu["hello"] = []
        ratios: dict[str, list[float]] = {key: [] for key, *_ in todo}
        with gunicorn("bench.hello:app", env, WORKERS) as hello_port:
            hello_master = gunicorn.master_pid
            with gunicorn("bench.probe:app", env, WORKERS, config=True) as port:
                master = gunicorn.master_pid
                cookie = {"Cookie": signed_in_cookie(port, district.coordinator_login, district.password)}
                sizes = {"hello": sized_count(hello_port, hello_master, "/", None, args.seconds)}
                for key, _label, path, signed_in in todo:
                    sizes[key] = sized_count(port, master, path, cookie if signed_in else None, args.seconds)
                for round_ in range(args.rounds):
                    for key, _label, path, signed_in in todo:
                        # the bare route right before each page: the ratio is taken within the same
                        # minute, so a machine busy with other work shifts both alike
                        hello = worker_cpu_per_request(hello_port, hello_master, "/", sizes["hello"])
                        page = worker_cpu_per_request(port, master, path, sizes[key],
                                                      headers=cookie if signed_in else None)
                        cpu["hello"].append(hello)
                        cpu[key].append(page)
                        ratios[key].append(page / hello)
                    print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.1f}×" for k, v in ratios.items()),
                          flush=True)
                statics = static_check(port, cookie["Cookie"])
        memory = memory_check(env, district)
    finally:
        shutil.rmtree(instance, ignore_errors=True)

    ms = {key: statistics.median(values) * 1000 for key, values in cpu.items()}
    ratio = {key: statistics.median(values) for key, values in ratios.items()}
    base = ms["hello"]
    result = dict(label=args.label, machine=machine(), hello_ms=base, ms=ms, ratio=ratio, counts=counts,
                  children=district.children, hour_entries=district.hour_entries, sites=district.sites,
                  memory_pss_mib=memory)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    before = json.loads(Path(args.before).read_text(encoding="utf-8")) if args.before else None

    lines = ["## Pages under gunicorn (bench/bench_login.py)", "",
             f"Worker CPU per request (user + system, read from /proc for the gunicorn workers before and "
             f"after a fixed number of requests), median of {args.rounds} interleaved rounds; "
             f"{district.sites} sites, {district.children:,} children, {district.hour_entries:,} hour entries "
             f"(bench/district.py), SQLite; gunicorn 2 sync workers, 4 client threads; {machine()}. "
             f"Baseline: a bare Flask route (bench/hello.py) served the same way, "
             f"{base:.2f} ms of worker CPU per request in this run (median), measured right before each page; "
             f"the ratio is the median over the rounds of page / bare route. SQL statements: one "
             f"test-client pass.", ""]
    head = "| page | CPU ms / request | × bare route | SQL |"
    rule = "|---|---:|---:|---:|"
    if before:
        head += " before: × bare route | before: SQL | change |"
        rule += "---:|---:|---:|"
    lines += [head, rule]
    for key, label, path, _signed_in in todo:
        row = f"| {label} | {ms[key]:.2f} | {ratio[key]:.1f} | {counts.get(key, '–')} |"
        if before:
            b_ratio = before.get("ratio", {}).get(key)
            if b_ratio:
                row += (f" {b_ratio:.1f} | {before['counts'].get(key, '–')} | "
                        f"{ratio[key] / b_ratio - 1:+.0%} |")
            else:
                row += " – | – | – |"
        lines.append(row)
    fixed = (ratio["signed_in"] - 1) * base
    lines += ["", f"Fixed cost of a signed-in page (empty signed-in page − bare route, at this run's bare-route "
              f"CPU): **{fixed:.2f} ms** of worker CPU, {ratio['signed_in']:.1f}× the bare route"
              + (f" (before: {before['ratio']['signed_in']:.1f}×, i.e. "
                 f"{(before['ratio']['signed_in'] - 1) * base:.2f} ms at this run's bare-route CPU)."
                 if before and "signed_in" in before.get("ratio", {}) else ".")]
    if memory.get("preload"):
        lines += ["", f"Memory of gunicorn (master + 3 workers, proportional set size after 150 requests of "
                      f"/home): {memory['preload']:.0f} MiB with the app loaded once in the master before the "
                      f"fork (`preload_app`, gunicorn.conf.py), {memory['no_preload']:.0f} MiB with each worker "
                      f"loading its own (HUHANG_PRELOAD=0)"
                      + (f"; before: {before['memory_pss_mib']['default']:.0f} MiB (each worker imported pypinyin "
                         f"at start-up)." if before and (before.get("memory_pss_mib") or {}).get("default") else ".")]
    lines += ["", "Static files linked from a signed-in page (answered by WhiteNoise before Flask):", "",
              "| URL | Cache-Control | gzip | bytes | gzip bytes |", "|---|---|---|---:|---:|"]
    for url, cache, encoding, plain, zipped in statics:
        lines.append(f"| `{url}` | {cache} | {encoding} | {plain:,} | {zipped:,} |")
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("login", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
