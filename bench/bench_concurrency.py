"""Concurrency under the real server, as an overloaded site (or an attacker double-tapping) would
make it: for SQLite and PostgreSQL, and for gunicorn's threaded and sync workers, fire real
concurrent HTTP requests from many signed-in sessions (login form, CSRF tokens and form tokens
scraped from the rendered pages) and check the invariants in the database afterwards.

Scenarios (issue 7):
  enrol        100 "Enrol" clicks (different children with consent) for a season with 1 place left
  import       the same roster import confirmed by 5 tabs at once
  hour-dup     the same hour entry (same form_token) posted 5 times at once
  hour-overlap 20 different overlapping entries for one volunteer-day
  hour-cap     20 one-hour entries for one day at once (daily cap: VOLUNTEER_MAX_HOURS_PER_DAY)
  hour-many    many volunteers each logging their own hours at once (GET form, POST, repeat)
  certificate  20 taps on 出具证明 with one rendered form
  room/season  two coordinators creating the same room / season name at once (10 rounds each)
  audit-views  200 concurrent GETs of one child's record by 4 coordinators; `flask audit verify`

    .venv/bin/python bench/bench_concurrency.py            # quick mode (a few minutes)
    .venv/bin/python bench/bench_concurrency.py --full     # 50 volunteers x 20 entries
    .venv/bin/python bench/bench_concurrency.py --write    # and write docs/PERFORMANCE.md

Exit status 1 when any invariant failed or any response was a 500. The server's error log of each
run is kept (its path is printed) so a 500's traceback can be read.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import VENV_BIN, free_port, machine, worker_pids, write_section  # noqa: E402
from tests.http import HttpClient, Response, race  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/h_stress_bench")
PASSWORD = "bench-concurrency-7"
WORK_DAY = "2025-07-08"
WORKER_KINDS = {"gthread": ["-w", "4", "--threads", "4", "-k", "gthread"], "sync": ["-w", "4", "-k", "sync"]}
IMPORT_ROWS = 6


# --- the data (run in a child process with the database's environment) ---------------------------
def load(tag: str, run: int, volunteers: int) -> dict:
    """One set of fixtures for one run (``tag`` and ``run`` keep names and numbers apart when runs
    share a database)."""
    import itertools
    from datetime import date

    from app import create_app
    from app.extensions import db
    from app.volunteers.models import VolunteerProfile
    from tests import factories as f

    f._seq = itertools.count(1 + run * 100000)
    app = create_app()
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # fast to create; sign-in checks any method
    with app.app_context():
        site = f.site(f"压力服务点{tag}")
        coordinators = [f.user("coordinator", site, username=f"{tag}-coord{i}", password=PASSWORD) for i in range(4)]
        season = f.season(site, f"{tag}2025年暑期", capacity=80)
        full = f.season(site, f"{tag}最后一个名额", capacity=3)
        for i in range(2):
            f.enrolment(f.child(site, f"已录取{i}"), full, status="enrolled")
        children = []
        for i in range(100):
            child = f.child(site, f"报名{tag}{i}")
            f.consent(child)
            children.append(child.id)
        viewed = f.child(site, f"查看{tag}")
        vols = []
        for i in range(volunteers + 4):
            user = f.user("volunteer", site, username=f"{tag}-vol{i}", password=PASSWORD)
            vols.append({"login": user.username, "profile": f.volunteer_profile(
                user, site, real_name=f"志愿者{i}", id_number=f.resident_id(birth=f"19{80 + run}0101", seq=i),
                volunteer_number=f"HHV-{tag}-{i}").id})
        cert = vols[-1]
        profile = db.session.get(VolunteerProfile, cert["profile"])
        f.hour_entry(profile, date(2025, 7, 8), "08:30", "11:30", status="approved", season=season)
        f.volunteer_settings(site)
        db.session.remove()
        return {"site": site.id, "season": season.id, "full_season": full.id, "children": children,
                "viewed_child": viewed.id, "coordinators": [c.username for c in coordinators],
                "volunteers": vols[:volunteers], "dup": vols[-4], "overlap": vols[-3], "cap": vols[-2], "cert": cert}


# --- plumbing ------------------------------------------------------------------------------------
class Database:
    def __init__(self, kind: str):
        self.kind = kind
        self.instance = Path(tempfile.mkdtemp(prefix=f"huhang-conc-{kind}-"))
        self.env = {**os.environ, "HUHANG_INSTANCE": str(self.instance), "FLASK_APP": "wsgi.py",
                    "SECRET_KEY": "bench-concurrency-secret", "HUHANG_ENV": "development",
                    # many sign-ins from one address in a few seconds: the per-address limit is not under test here
                    "LOGIN_RATE_LIMIT": "100000 per minute", "PYTHONPATH": str(ROOT)}
        if kind == "postgresql":
            self.env["DATABASE_URL"] = PG_URL
        else:
            self.env.pop("DATABASE_URL", None)

    def prepare(self) -> None:
        if self.kind == "postgresql":
            from sqlalchemy import create_engine, text

            engine = create_engine("postgresql+psycopg://" + PG_URL.split("://", 1)[1])
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        subprocess.run([VENV_BIN / "flask", "db", "upgrade", "heads"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)

    def call(self, function: str, *args) -> object:
        code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.bench_concurrency import {function}; "
                f"print('@@' + json.dumps({function}(*json.loads(sys.argv[1]))))")
        out = subprocess.run([sys.executable, "-c", code, json.dumps(list(args))], cwd=ROOT, env=self.env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        return json.loads(out.stdout.split("@@", 1)[1])

    def rows(self, query: str, **params) -> list:
        """Rows of ``query`` (SQL text), read on a connection of this process."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        if not hasattr(self, "engine"):
            url = ("postgresql+psycopg://" + PG_URL.split("://", 1)[1] if self.kind == "postgresql"
                   else f"sqlite:///{self.instance / 'huhang.db'}")
            self.engine = create_engine(url, poolclass=NullPool)
        with self.engine.connect() as conn:
            return [list(r) for r in conn.execute(text(query), params).all()]

    def scalar(self, query: str, **params):
        return self.rows(query, **params)[0][0]

    def audit_verify(self) -> tuple[int, str]:
        out = subprocess.run([VENV_BIN / "flask", "audit", "verify"], cwd=ROOT, env=self.env, capture_output=True,
                             text=True)
        lines = (out.stdout + out.stderr).strip().splitlines()
        return out.returncode, lines[-1] if lines else ""


class Server:
    def __init__(self, database: Database, kind: str):
        self.port = free_port()
        self.log = database.instance / f"gunicorn-{kind}.log"
        command = [VENV_BIN / "gunicorn", "-c", "gunicorn.conf.py", *WORKER_KINDS[kind],
                   "-b", f"127.0.0.1:{self.port}", "--timeout", "120"]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=database.env, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, "w"))
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()[-2000:])
                time.sleep(0.1)
        for _ in range(600):
            if len(worker_pids(self.proc.pid)) >= 4:
                break
            time.sleep(0.1)
        urllib.request.urlopen(self.base + "/auth/login", timeout=60).read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)

    def tracebacks(self) -> list[str]:
        """The last line of each traceback in the server's log."""
        lines = self.log.read_text(errors="replace").splitlines()
        found = []
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                j = i + 1
                while j < len(lines) and (lines[j].startswith(" ") or lines[j].startswith("Traceback")
                                          or lines[j].startswith("During") or not lines[j].strip()):
                    j += 1
                if j < len(lines):
                    found.append(lines[j][:300])
        return found


@dataclass
class Login:
    username: str


def client(server: Server, username: str) -> HttpClient:
    return HttpClient(server.base).login(Login(username), PASSWORD)


def form_tokens(c: HttpClient, path: str, testid: str | None = None, action: str | None = None,
                *, token: bool = True) -> str:
    """The form_token of one form of the page at ``path`` (found by data-testid or by action);
    the client's csrf token is refreshed from the same page."""
    html = c.get(path).text
    for match in re.finditer(r"<form\b[^>]*>", html):
        tag = match.group(0)
        if (testid and f'data-testid="{testid}"' in tag) or (action and f'action="{action}"' in tag):
            body = html[match.start():html.index("</form>", match.start())]
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
            found = re.search(r'name="form_token"[^>]*value="([^"]+)"', body)
            if csrf:
                c.csrf = csrf.group(1)
            if found:
                return found.group(1)
            if not token:
                return ""
    raise AssertionError(f"no form {testid or action} with a form_token on {path}")


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "----huhang" + secrets.token_hex(8)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload(c: HttpClient, path: str, fields: dict, files: dict) -> Response:
    body, content_type = multipart({"csrf_token": c.csrf, **fields}, files)
    req = urllib.request.Request(c.base + path, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with c.opener.open(req, timeout=120) as resp:
            return Response(resp.status, resp.headers, resp.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read().decode("utf-8", "replace"))


def roster(tag: str) -> bytes:
    from openpyxl import Workbook

    from app.children.importer import HEADERS

    book = Workbook()
    book.active.append(HEADERS)
    for i in range(IMPORT_ROWS):
        book.active.append([f"导入{tag}{i}", "男", "2016-09-01", "三年级", "", "", "家长", "父亲",
                            f"1370000{i:04d}", "", "", "", "", "否", "否"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Result:
    scenario: str
    database: str
    workers: str
    requests: int = 0
    errors_500: int = 0
    held: bool = False
    seconds: float = 0.0
    note: str = ""
    statuses: dict = field(default_factory=dict)


def statuses_of(results: list) -> list:
    return [getattr(r, "status", type(r).__name__) for r in results]


def tally(result: Result, results: list) -> list:
    codes = statuses_of(results)
    result.requests += len(codes)
    result.errors_500 += sum(1 for s in codes if s == 500)
    for s in codes:
        result.statuses[str(s)] = result.statuses.get(str(s), 0) + 1
    return codes


# --- the scenarios ------------------------------------------------------------------------------
def run_scenarios(db: Database, server: Server, data: dict, tag: str, workers: str, per_volunteer: int) -> list[Result]:
    out = []
    coords = [client(server, name) for name in data["coordinators"]]

    def scenario(name):
        def wrap(fn):
            result = Result(name, db.kind, workers)
            began = time.perf_counter()
            try:
                fn(result)
            except Exception as error:  # a broken scenario is a failed invariant, with the reason
                result.held = False
                result.note = (result.note + f" ERROR {type(error).__name__}: {error}")[:300]
            result.seconds = time.perf_counter() - began
            out.append(result)
            print(f"  {name:13} {db.kind:10} {workers:7} requests={result.requests:5} 500s={result.errors_500:3} "
                  f"held={'yes' if result.held else 'NO '} {result.seconds:6.1f}s {result.statuses} {result.note}",
                  flush=True)
            return fn
        return wrap

    @scenario("enrol")
    def _(r: Result):
        season = data["full_season"]
        tokens = []
        for i, child_id in enumerate(data["children"]):
            c = coords[i % len(coords)]
            tokens.append(form_tokens(c, f"/children/{child_id}", testid="enrol-form"))
        calls = [lambda i=i, cid=cid, t=t: coords[i % len(coords)].post(
            f"/children/{cid}/enrolments", {"season_id": str(season), "action": "enrol", "form_token": t})
            for i, (cid, t) in enumerate(zip(data["children"], tokens))]
        codes = tally(r, race(calls))
        enrolled = db.scalar("SELECT count(*) FROM enrolments WHERE season_id=:s AND status='enrolled'", s=season)
        waiting = db.scalar("SELECT count(*) FROM enrolments WHERE season_id=:s AND status='waitlisted'", s=season)
        r.held = r.errors_500 == 0 and enrolled == 3 and waiting == 99 and set(codes) == {303}
        r.note = f"enrolled {enrolled}/3, waitlisted {waiting}/99"

    @scenario("import")
    def _(r: Result):
        c = coords[0]
        token = form_tokens(c, f"/sites/{data['site']}/children/import", testid="import-form")
        response = upload(c, f"/sites/{data['site']}/children/import",
                          {"season_id": str(data["season"]), "form_token": token},
                          {"file": ("名单.xlsx", roster(tag))})
        tally(r, [response])
        if response.status != 303:
            r.note = f"upload {response.status}"
            return
        batch = int(response.location.rstrip("/").rsplit("/", 1)[1])
        tabs = [coords[i % len(coords)] for i in range(5)]
        for t in tabs:
            form_tokens(t, f"/imports/{batch}", action=f"/imports/{batch}/confirm", token=False)
        codes = tally(r, race([lambda t=t: t.post(f"/imports/{batch}/confirm") for t in tabs]))
        saved = db.scalar("SELECT count(*) FROM children WHERE name LIKE :n", n=f"导入{tag}%")
        batches = db.scalar("SELECT count(*) FROM child_import_batches WHERE id=:b", b=batch)
        audited = db.scalar("SELECT count(*) FROM audit_entries WHERE event='child.imported' AND child_id IN "
                            "(SELECT id FROM children WHERE name LIKE :n)", n=f"导入{tag}%")
        r.held = (r.errors_500 == 0 and saved == IMPORT_ROWS and audited == IMPORT_ROWS and batches == 0
                  and all(s in (303, 404) for s in codes))
        r.note = f"children saved {saved}/{IMPORT_ROWS}, audited {audited}/{IMPORT_ROWS}"

    def volunteer(v):
        return client(server, v["login"]), f"/volunteers/{v['profile']}"

    def entry(start, end, token, day=WORK_DAY, activity="三年级数学辅导"):
        return {"work_date": day, "starts_at": start, "ends_at": end, "activity": activity, "form_token": token}

    def hours_of(profile):
        return db.rows("SELECT count(*), coalesce(sum(minutes), 0) FROM hour_entries WHERE profile_id=:p "
                       "AND status != 'rejected'", p=profile)[0]

    @scenario("hour-dup")
    def _(r: Result):
        c, home = volunteer(data["dup"])
        token = form_tokens(c, home, testid="log-hours-form")
        codes = tally(r, race([lambda: c.post(f"{home}/hours", entry("09:00", "11:30", token)) for _ in range(5)]))
        count, _m = hours_of(data["dup"]["profile"])
        r.held = r.errors_500 == 0 and count == 1 and codes == [303] * 5
        r.note = f"entries {count}/1"

    @scenario("hour-overlap")
    def _(r: Result):
        c, home = volunteer(data["overlap"])
        tokens = [form_tokens(c, home, testid="log-hours-form") for _ in range(20)]
        calls = [lambda i=i, t=t: c.post(f"{home}/hours", entry(f"{8 + i // 12:02d}:{(i % 12) * 5:02d}", "11:00", t))
                 for i, t in enumerate(tokens)]
        codes = tally(r, race(calls))
        count, _m = hours_of(data["overlap"]["profile"])
        r.held = r.errors_500 == 0 and count == 1 and sorted(codes) == [303] + [422] * 19
        r.note = f"entries {count}/1"

    @scenario("hour-cap")
    def _(r: Result):
        c, home = volunteer(data["cap"])
        tokens = [form_tokens(c, home, testid="log-hours-form") for _ in range(20)]
        calls = [lambda i=i, t=t: c.post(f"{home}/hours", entry(f"{2 + i:02d}:00", f"{3 + i:02d}:00", t))
                 for i, t in enumerate(tokens)]
        codes = tally(r, race(calls))
        count, minutes = hours_of(data["cap"]["profile"])
        cap = 10  # VOLUNTEER_MAX_HOURS_PER_DAY default
        r.held = r.errors_500 == 0 and minutes <= cap * 60 and count == cap and codes.count(303) == cap
        r.note = f"entries {count} ({minutes} min, cap {cap * 60})"

    @scenario("hour-many")
    def _(r: Result):
        vols = data["volunteers"]
        clients = [volunteer(v) for v in vols]  # sign in first: the race is about the hours

        def one_volunteer(c, home):
            results = []
            for k in range(per_volunteer):
                token = form_tokens(c, home, testid="log-hours-form")
                results.append(c.post(f"{home}/hours", entry("09:00", "11:00", token, day=f"2025-07-{1 + k:02d}")))
            return results

        got = race([lambda c=c, h=h: one_volunteer(c, h) for c, h in clients])
        flat = []
        for item in got:
            flat.extend(item if isinstance(item, list) else [item])
        codes = tally(r, flat)
        r.requests += len(flat)  # the GET of each form
        total = db.scalar("SELECT count(*) FROM hour_entries WHERE profile_id IN :ids".replace(
            ":ids", "(" + ",".join(str(v["profile"]) for v in vols) + ")"))
        expected = len(vols) * per_volunteer
        r.held = r.errors_500 == 0 and total == expected and set(codes) == {303}
        r.note = f"{len(vols)} volunteers x {per_volunteer}: entries {total}/{expected}"

    @scenario("certificate")
    def _(r: Result):
        c, home = volunteer(data["cert"])
        token = form_tokens(c, home, testid="certificate-form")
        body = {"period_from": "2025-07-01", "period_to": "2025-07-31", "content": "", "form_token": token}
        codes = tally(r, race([lambda: c.post(f"{home}/certificates", body) for _ in range(20)]))
        count = db.scalar("SELECT count(*) FROM certificates WHERE profile_id=:p", p=data["cert"]["profile"])
        r.held = r.errors_500 == 0 and count == 1 and codes == [303] * 20
        r.note = f"certificates {count}/1"

    def same_name(r: Result, plural: str, fields):
        a, b = coords[0], coords[1]
        ok = True
        for round_ in range(10):
            path = f"/sites/{data['site']}/{plural}"
            tokens = [form_tokens(x, path, action=path) for x in (a, b)]
            name = f"{tag}同名{plural}{round_}"
            codes = tally(r, race([lambda x=x, t=t: x.post(path, {**fields, "name": name, "form_token": t})
                                   for x, t in zip((a, b), tokens)]))
            made = db.scalar(f"SELECT count(*) FROM {plural} WHERE site_id=:s AND name=:n", s=data["site"], n=name)
            ok = ok and made == 1 and sorted(codes) == [303, 422]
        r.held = ok and r.errors_500 == 0
        r.note = "10 rounds of 2: one created, one 422 each" if ok else "see statuses"

    @scenario("room")
    def _(r: Result):
        same_name(r, "rooms", {"floor": "1", "capacity": "30", "notes": ""})

    @scenario("season")
    def _(r: Result):
        same_name(r, "seasons", {"theme": "", "start_date": "2026-07-06", "end_date": "2026-08-28", "capacity": "60"})

    @scenario("audit-views")
    def _(r: Result):
        child = data["viewed_child"]
        query = ("SELECT count(*) FROM audit_entries WHERE event='child.viewed' AND child_id=:c")
        before = db.scalar(query, c=child)
        codes = tally(r, race([lambda i=i: coords[i % len(coords)].get(f"/children/{child}") for i in range(200)]))
        logged = before
        for _ in range(20):  # the read is written after the response
            logged = db.scalar(query, c=child)
            if logged - before >= 200:
                break
            time.sleep(0.5)
        rc, last = db.audit_verify()
        r.held = r.errors_500 == 0 and set(codes) == {200} and logged - before == 200 and rc == 0
        r.note = f"views logged {logged - before}/200, audit verify exit {rc}: {last[:80]}"

    return out


# --- main ----------------------------------------------------------------------------------------
def table(results: list[Result]) -> str:
    lines = ["| scenario | database | workers | requests | 500s | invariant held | wall time | note |",
             "|---|---|---|---:|---:|---|---:|---|"]
    for r in results:
        lines.append(f"| {r.scenario} | {r.database} | {r.workers} | {r.requests} | {r.errors_500} | "
                     f"{'yes' if r.held else '**no**'} | {r.seconds:.1f} s | {r.note.replace('|', '/')} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="50 volunteers x 20 entries (quick: 20 x 5)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/PERFORMANCE.md")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--workers", choices=list(WORKER_KINDS), action="append")
    args = parser.parse_args()
    volunteers, per_volunteer = (50, 20) if args.full else (20, 5)
    results: list[Result] = []
    logs = []
    for kind in args.db or ["sqlite", "postgresql"]:
        db = Database(kind)
        print(f"== {kind}: migrating into {db.instance if kind == 'sqlite' else PG_URL}", flush=True)
        db.prepare()
        run = 0
        for workers in args.workers or list(WORKER_KINDS):
            tag = f"{kind[:2]}{workers[:2]}"
            data = db.call("load", tag, run, volunteers)
            run += 1
            server = Server(db, workers)
            try:
                print(f"-- {kind} / gunicorn {' '.join(WORKER_KINDS[workers])} on :{server.port}", flush=True)
                results += run_scenarios(db, server, data, tag, workers, per_volunteer)
            finally:
                server.stop()
            errors = server.tracebacks()
            logs.append((kind, workers, server.log, errors))
            for line in sorted(set(errors)):
                print(f"   server traceback ({errors.count(line)}x): {line}", flush=True)
    print()
    print(table(results))
    for kind, workers, log, errors in logs:
        print(f"server log {kind}/{workers}: {log} ({len(errors)} tracebacks)")
    if args.write:
        mode = "full: 50 volunteers x 20 entries" if args.full else "quick: 20 volunteers x 5 entries"
        tracebacks = [f"- {k}/{w}: {n}x `{line}`" for k, w, _l, errs in logs for line in sorted(set(errs))
                      for n in [errs.count(line)]]
        write_section("concurrency", "\n".join([
            "## Concurrency under gunicorn (issue 7)",
            "",
            "`bench/bench_concurrency.py`: real concurrent HTTP requests from signed-in sessions (CSRF and form "
            "tokens scraped from the rendered pages) against `gunicorn -c gunicorn.conf.py` with 4 threaded "
            "(`-k gthread --threads 4`) or 4 sync workers, on SQLite and PostgreSQL; the invariants are "
            "checked in the database afterwards. Requests: the requests under test (for hour-many also the "
            "form page each volunteer opens before each entry; form pages read beforehand for tokens are not "
            f"counted); {mode}; {machine()}.",
            "",
            table(results),
            "",
            "Server tracebacks: " + ("none" if not tracebacks else ""),
            *tracebacks,
        ]))
    return 0 if all(r.held and r.errors_500 == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
