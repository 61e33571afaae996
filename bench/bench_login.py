"""Throughput of the login page and of a signed-in dashboard under gunicorn, as a ratio against a
bare hello-world Flask route served the same way (2 sync workers, 8 client threads) in the same run."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import gunicorn, instance_env, load, machine, prepare_demo_instance, request, write_section  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0


def signed_in_cookie(port: int) -> str:
    response, body = request(port, "/auth/login")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrf_token": token, "login": "shegong", "password": "huhang2025"})
    response, _ = request(port, "/auth/login", "POST", form, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 303, response.status
    return next(c.split(";", 1)[0] for c in response.msg.get_all("Set-Cookie") if c.startswith("session="))


def main() -> None:
    instance = prepare_demo_instance()
    env = instance_env(instance)
    try:
        with gunicorn("bench.hello:app", env) as port:
            load(port, "/", seconds=1)
            hello = load(port, "/", seconds=SECONDS)
        with gunicorn("wsgi:app", env) as port:
            load(port, "/auth/login", seconds=1)
            login = load(port, "/auth/login", seconds=SECONDS)
            cookie = signed_in_cookie(port)
            dashboard = load(port, "/home", seconds=SECONDS, headers={"Cookie": cookie})
            seasons = load(port, "/sites/1/seasons", seconds=SECONDS, headers={"Cookie": cookie})
    finally:
        shutil.rmtree(instance, ignore_errors=True)

    rows = [("hello-world Flask route (baseline)", hello), ("login page `/auth/login`", login),
            ("signed-in dashboard `/home`", dashboard), ("season table `/sites/1/seasons`", seasons)]
    lines = ["## Pages under gunicorn (bench/bench_login.py)", "",
             f"gunicorn, 2 sync workers, 8 client threads for {SECONDS:.0f} s each, SQLite demo data; {machine()}.", "",
             "| page | requests/s | ratio to baseline | p50 ms | p95 ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for label, r in rows:
        lines.append(f"| {label} | {r['rps']:.0f} | {r['rps'] / hello['rps']:.2f} | {r['p50_ms']:.1f} | "
                     f"{r['p95_ms']:.1f} | {r['errors']} |")
    report = "\n".join(lines)
    print(report)
    write_section("login", report)


if __name__ == "__main__":
    main()
