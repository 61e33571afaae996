#!/usr/bin/env python3
"""Open shifts and swap offers under the real server (issue 10): for SQLite and PostgreSQL and for
gunicorn's threaded and sync workers, many signed-in volunteers tap at the same moment (real HTTP,
CSRF tokens scraped from the pages; bench/bench_concurrency.py's plumbing), then the database is
checked.

Scenarios:
  sign-up   N eligible volunteers sign up at once for a shift needing k places: exactly k places
            taken (never more), every tap answered with a redirect, no HTTP 500
  swap      a shift offered for a swap taken by M eligible volunteers at once: one winner, the
            offer released, no HTTP 500

    .venv/bin/python bench/bench_schedule_concurrency.py [--volunteers 50] [--places 3] [--takers 20]
                                                         [--rounds 3] [--write]

PostgreSQL: BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/h_stress_bench; its public
schema is dropped and re-created). Exit status 1 when an invariant failed or a response was a 500.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_concurrency import (PASSWORD, WORKER_KINDS, Database, Result, Server, client, table,  # noqa: E402
                                     tally)
from bench.common import machine, write_section  # noqa: E402
from tests.http import race  # noqa: E402


def load(tag: str, run: int, volunteers: int, places: int, takers: int, rounds: int) -> dict:
    """A season around today, ``rounds`` sessions three days ahead needing ``places`` volunteers,
    ``rounds`` sessions tomorrow each with one place offered for a swap (cut-off 48 hours), and
    ``volunteers`` + ``takers`` eligible volunteers (a clear background check)."""
    import itertools
    from datetime import time as dtime, timedelta

    from app import create_app
    from app.core.timeutil import local_today
    from app.extensions import db
    from app.scheduling.models import Activity, Group, SchedulingSettings, Session, SessionStaff
    from tests import factories as f

    f._seq = itertools.count(1 + run * 100000)
    app = create_app()
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # fast to create; sign-in checks any method
    with app.app_context():
        today = local_today()
        site = f.site(f"排班压力{tag}")
        season = f.season(site, f"{tag}排班季", start_date=today - timedelta(days=7),
                          end_date=today + timedelta(days=60))
        room = f.room(site, f"{tag}教室")
        db.session.add(SchedulingSettings(site_id=site.id, children_per_adult=10, max_group_size=40,
                                          release_cutoff_hours=48))
        activity = Activity(site_id=site.id, season_id=season.id, track="tutoring", name="三年级数学", notes="")
        group = Group(site_id=site.id, season_id=season.id, name="三年级", grade=3, level="")
        db.session.add_all([activity, group])
        db.session.flush()

        def session(day, start, needed):
            s = Session(site_id=site.id, season_id=season.id, activity_id=activity.id, group_id=group.id,
                        room_id=room.id, on_date=day, starts_at=start, ends_at=dtime(start.hour + 1),
                        volunteers_needed=needed)
            db.session.add(s)
            db.session.flush()
            return s

        def volunteer(i: int):
            user = f.user("volunteer", site, username=f"{tag}-v{i}", password=PASSWORD)
            profile = f.volunteer_profile(user, site, real_name=f"志愿者{i}",
                                          id_number=f.resident_id(birth=f"19{80 + run}0101", seq=i))
            f.background_check(profile, today - timedelta(days=30))
            return profile

        open_shifts = [session(today + timedelta(days=3), dtime(8 + r), places).id for r in range(rounds)]
        offers = []
        for r in range(rounds):
            s = session(today + timedelta(days=1), dtime(8 + r), 1)
            holder = volunteer(900 + r)
            row = SessionStaff(session_id=s.id, user_id=holder.user_id, profile_id=holder.id, role="volunteer",
                               status="swap_offered")
            db.session.add(row)
            db.session.flush()
            offers.append({"session": s.id, "staff": row.id})
        signers = [volunteer(i).user.username for i in range(volunteers)]
        taking = [volunteer(500 + i).user.username for i in range(takers)]
        db.session.commit()
        db.session.remove()
        return {"open": open_shifts, "offers": offers, "signers": signers, "takers": taking}


class ScheduleDatabase(Database):
    def call(self, function: str, *args) -> object:
        code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); "
                f"from bench.bench_schedule_concurrency import {function}; "
                f"print('@@' + json.dumps({function}(*json.loads(sys.argv[1]))))")
        out = subprocess.run([sys.executable, "-c", code, json.dumps(list(args))], cwd=ROOT, env=self.env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        return json.loads(out.stdout.split("@@", 1)[1])


ACTIVE = "('rostered', 'confirmed', 'swap_offered')"


def run_scenarios(db: ScheduleDatabase, server: Server, data: dict, workers: str, places: int) -> list[Result]:
    out = []
    signers = [client(server, name) for name in data["signers"]]
    takers = [client(server, name) for name in data["takers"]]
    for c in signers + takers:
        c.page_tokens("/me/shifts")  # the CSRF token of the page a volunteer taps on

    result = Result("sign-up", db.kind, workers)
    began, held, taken = time.perf_counter(), True, []
    for session_id in data["open"]:
        codes = tally(result, race([lambda c=c: c.post(f"/sessions/{session_id}/sign-up") for c in signers]))
        count = db.scalar(f"SELECT count(*) FROM session_staff WHERE session_id=:s AND status IN {ACTIVE}",
                          s=session_id)
        rows = db.scalar("SELECT count(*) FROM session_staff WHERE session_id=:s", s=session_id)
        taken.append(count)
        held = held and count == places and rows == places and set(codes) == {303}
    result.held, result.seconds = held and result.errors_500 == 0, time.perf_counter() - began
    result.note = (f"{len(data['open'])} rounds of {len(signers)} volunteers for {places} places: "
                   f"places taken {taken}")
    out.append(result)

    result = Result("swap", db.kind, workers)
    began, held, winners = time.perf_counter(), True, []
    for offer in data["offers"]:
        codes = tally(result, race([lambda c=c: c.post(f"/staff/{offer['staff']}/take") for c in takers]))
        count = db.scalar(f"SELECT count(*) FROM session_staff WHERE session_id=:s AND status IN {ACTIVE}",
                          s=offer["session"])
        status = db.scalar("SELECT status FROM session_staff WHERE id=:i", i=offer["staff"])
        winners.append(count)
        held = held and count == 1 and status == "released" and set(codes) == {303}
    result.held, result.seconds = held and result.errors_500 == 0, time.perf_counter() - began
    result.note = (f"{len(data['offers'])} offers, each taken by {len(takers)} at once: holders after "
                   f"{winners}")
    out.append(result)
    for r in out:
        print(f"  {r.scenario:8} {r.database:10} {r.workers:7} requests={r.requests:4} 500s={r.errors_500} "
              f"held={'yes' if r.held else 'NO'} {r.seconds:5.1f}s {r.statuses} {r.note}", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volunteers", type=int, default=50)
    parser.add_argument("--places", type=int, default=3)
    parser.add_argument("--takers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--workers", choices=list(WORKER_KINDS), action="append")
    parser.add_argument("--write", action="store_true", help="write the table into docs/PERFORMANCE.md")
    args = parser.parse_args()
    results: list[Result] = []
    logs = []
    for kind in args.db or ["sqlite", "postgresql"]:
        db = ScheduleDatabase(kind)
        print(f"== {kind}", flush=True)
        db.prepare()
        for run, workers in enumerate(args.workers or list(WORKER_KINDS)):
            tag = f"{kind[:2]}{workers[:2]}"
            data = db.call("load", tag, run, args.volunteers, args.places, args.takers, args.rounds)
            server = Server(db, workers)
            try:
                print(f"-- {kind} / gunicorn {' '.join(WORKER_KINDS[workers])} on :{server.port}", flush=True)
                results += run_scenarios(db, server, data, workers, args.places)
            finally:
                server.stop()
            errors = server.tracebacks()
            logs.append((kind, workers, errors))
            for line in sorted(set(errors)):
                print(f"   server traceback ({errors.count(line)}x): {line}", flush=True)
    print()
    print(table(results))
    if args.write:
        tracebacks = [f"- {k}/{w}: {errs.count(line)}x `{line}`" for k, w, errs in logs for line in sorted(set(errs))]
        write_section("schedule-concurrency", "\n".join([
            "## Open shifts and swap offers under gunicorn (bench/bench_schedule_concurrency.py, issue 10)", "",
            f"Real concurrent HTTP requests from signed-in volunteers (each its own session and CSRF token) "
            f"against `gunicorn -c gunicorn.conf.py` with 4 threaded (`-k gthread --threads 4`) or 4 sync "
            f"workers, on SQLite and PostgreSQL, all requests of a round released at once (a barrier); the "
            f"invariants are read from the database afterwards. sign-up: {args.volunteers} eligible volunteers "
            f"tap 报名 on a shift needing {args.places}; swap: {args.takers} eligible volunteers tap 接班 on "
            f"one swap offer; {args.rounds} rounds each (a fresh shift or offer per round). Requests: the taps "
            f"only. {machine()}.", "",
            table(results), "",
            "Server tracebacks: " + ("none" if not tracebacks else ""), *tracebacks]))
    return 0 if all(r.held and r.errors_500 == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
