#!/usr/bin/env python3
"""Timetable, rostering, menus and the day at the site (issues 10, 11, 12) under gunicorn on a
fully scheduled district season: worker CPU per request as a ratio against a bare Flask route
served the same way in the same run, SQL statements per page, the season's menu check, and a
printed group timetable against the same PDF with Latin text only (WeasyPrint's floor).

    .venv/bin/python bench/bench_schedule.py [--rounds 5] [--seconds 1.5] [--json out.json]
                                             [--before before.json] [--write] [--html DIR]

* Data: bench/district.py (12 sites, ~5,000 children, 240 volunteers) plus bench/district_season.py
  (every site's season scheduled through services.create_schedule: 9,216 sessions, volunteers
  rostered; menus and a day's arrivals on the first site), SQLite.
* Measure: as bench/bench_login.py (whose pieces it uses): the workers' user+system CPU before and
  after a fixed number of requests of one page, the bare route right before each page, rounds
  interleaved, the median round counts; SQL statements from one test-client pass.
* `--html DIR` keeps each page's HTML (tokens masked) to compare two trees byte for byte.
* The session attendance roster (issue 11) is measured when the app has its route
  (``roster_path``); until then its row says so.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_login import signed_in_cookie, sized_count  # noqa: E402
from common import gunicorn, instance_env, machine, worker_cpu_per_request, write_section  # noqa: E402

WORKERS = 2
TOKENS = re.compile(r'(name="(?:csrf_token|form_token)"[^>]*value=")[^"]+|("X-CSRFToken": ")[^"]+'
                    r'|(<meta name="csrf-token" content=")[^"]+')


def roster_path(app, s) -> str | None:
    """The session attendance roster of issue 11 (built by another helper): its URL for the bench's
    session once the app has a GET route for it, else None (the row reads "not built yet")."""
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and re.fullmatch(r"/sessions/<int:\w+>/(attendance|roster)", rule.rule):
            return re.sub(r"<int:\w+>", str(s.session_id), rule.rule)
    return None


def pages(s, roster: str | None) -> list[tuple[str, str, str, str]]:
    """(key, label, path, who: "coordinator" / "volunteer")"""
    week = s.week_start.isoformat()
    out = [
        ("signed_in", "signed-in empty page (the fixed cost)", "/bench/signed-in", "coordinator"),
        ("week", f"week grid by room ({s.sessions_week} sessions)", f"/seasons/{s.season_id}/week?start={week}",
         "coordinator"),
        ("week_group", "week grid by group", f"/seasons/{s.season_id}/week?start={week}&by=group", "coordinator"),
        ("week_person", "a person's week (by-person view, one volunteer)",
         f"/seasons/{s.season_id}/week?start={week}&by=person&person={s.volunteer_user_id}", "coordinator"),
        ("my_shifts", "a volunteer's 我的班次 `/me/shifts`", "/me/shifts", "volunteer"),
        ("session", "a session's page", f"/sessions/{s.session_id}", "coordinator"),
        ("staffing", "a session's staffing page (20 volunteers with reasons)", f"/sessions/{s.session_id}/staff",
         "coordinator"),
        ("menus", "a week's menus with the check and the allergy list",
         f"/seasons/{s.season_id}/menus?week={week}", "coordinator"),
        ("today", f"the today page ({s.expected_today} children expected)",
         f"/sites/{s.site_id}/today?day={s.day.isoformat()}", "coordinator"),
    ]
    if roster:
        out.append(("roster", "a session's attendance roster", roster, "coordinator"))
    return out


def latin_only(html: str) -> str:
    """The same document with every Chinese character replaced by its pinyin and full-width
    punctuation by its ASCII form: the same layout with Latin text only."""
    from pypinyin import lazy_pinyin

    html = re.sub(r"[\u4e00-\u9fff]+", lambda m: " ".join(lazy_pinyin(m.group(0))), html)
    html = re.sub(r"[\u3000-\u303f\uff00-\uffef]", lambda m: unicodedata.normalize("NFKC", m.group(0))
                  if unicodedata.normalize("NFKC", m.group(0)).isascii() else " ", html)
    html = html.replace("·", "-").replace("–", "-")
    assert not re.search(r"[^\x00-\xff]", html), re.search(r"[^\x00-\xff].{0,20}", html).group(0)
    return html


def median_ms(fn, runs: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), samples


def bulk_attendance(app, client, s, statements: list, rosters: int = 7, size: int = 40) -> dict:
    """"All present" on a 40-child roster, as a coordinator's phone sends it (one htmx POST): a group of
    40 enrolled children of the measured season and ``rosters`` sessions of it on the working day;
    the first press on each roster is timed (test client, in process, marks and their change records
    written and committed), and the statements of one press counted."""
    from datetime import time as clock

    from app.children.models import Child, Enrolment
    from app.children.names import name_pinyin
    from app.daily.models import SessionAttendance as Attendance
    from app.extensions import db
    from app.scheduling.models import Activity, Group, GroupMember, Session
    from app.sites.models import Room, Season

    season = db.session.get(Season, s.season_id)
    room = db.session.query(Room).filter_by(site_id=season.site_id).first()
    group = Group(site_id=season.site_id, season_id=season.id, name="批量点名", grade=4)
    activity = Activity(site_id=season.site_id, season_id=season.id, track="tutoring", name="批量点名辅导")
    db.session.add_all([group, activity])
    db.session.flush()
    for n in range(size):
        name = f"点名{n:02d}"
        pinyin, initials = name_pinyin(name)
        child = Child(site_id=season.site_id, name=name, name_pinyin=pinyin, name_initials=initials, sex="mf"[n % 2],
                      birth_date=date(2016, 3, 1), grade=4)
        db.session.add(child)
        db.session.flush()
        enrolment = Enrolment(child_id=child.id, season_id=season.id, status="enrolled")
        db.session.add(enrolment)
        db.session.flush()
        db.session.add(GroupMember(group_id=group.id, enrolment_id=enrolment.id))
    sessions = [Session(site_id=season.site_id, season_id=season.id, activity_id=activity.id, group_id=group.id,
                        room_id=room.id, on_date=s.day, starts_at=clock(6 + i, 0), ends_at=clock(6 + i, 30))
                for i in range(rosters)]
    db.session.add_all(sessions)
    db.session.commit()
    ids = [session.id for session in sessions]
    times = []
    for i, session_id in enumerate(ids):
        statements.clear()
        began = time.perf_counter()
        response = client.post(f"/sessions/{session_id}/attendance/all-present", data={},
                               headers={"HX-Request": "true"})
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
        if i == 0:
            sql = len(statements)
    marked = db.session.query(Attendance).filter(Attendance.session_id.in_(ids), Attendance.status == "present").count()
    assert marked == size * rosters, marked
    return dict(bulk_ms=statistics.median(times), bulk_sql=sql, bulk_children=size, bulk_rosters=rosters)


def build(instance: Path, html_dir: Path | None, pdf_runs: int):
    """Migrate and fill the instance's database; count each page's SQL statements (test client);
    time the season's menu check and the printed timetable (in this process)."""
    from flask_migrate import upgrade
    from sqlalchemy import event

    import app.core.pdf as pdf
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from district import build_district
    from district_season import build_season

    from tests.conftest import CsrfClient

    app = create_app(TestConfig(f"sqlite:///{instance / 'huhang.db'}", WTF_CSRF_ENABLED=False))
    app.test_client_class = CsrfClient
    counts, extra = {}, {}
    with app.app_context():
        upgrade(revision="heads")
        district = build_district()
        with app.test_request_context():
            season = build_season(district)
        roster = roster_path(app, season)
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        clients = {"coordinator": app.test_client(), "volunteer": app.test_client()}
        for who, login in (("coordinator", district.coordinator_login), ("volunteer", season.volunteer_login)):
            response = clients[who].post("/auth/login", data={"login": login, "password": district.password})
            assert response.status_code == 303, (who, response.status_code)
        for key, _label, path, who in pages(season, roster):
            if key == "signed_in":
                continue
            c = clients[who]
            assert c.get(path).status_code == 200, path
            statements.clear()
            response = c.get(path)
            counts[key] = len(statements)
            if html_dir:
                html_dir.mkdir(parents=True, exist_ok=True)
                (html_dir / f"{key}.html").write_text(TOKENS.sub(lambda m: (m.group(1) or m.group(2) or m.group(3))
                                                                 + "…", response.get_data(as_text=True)))

        extra.update(bulk_attendance(app, clients["coordinator"], season, statements))

        # the season's menus checked week by week (what the menus page does for one week), in-process
        from app.health import queries as health
        from app.sites.models import Season

        with app.test_request_context():
            s = db.session.get(Season, season.season_id)
            mondays = [s.start_date + timedelta(days=7 * w) for w in range((s.end_date - s.start_date).days // 7 + 1)]

            def check_season():
                db.session.expire_all()
                health._WEEKS.clear()  # worked out, not read from what an earlier view kept
                for monday in mondays:
                    health.week(s, monday)

            statements.clear()
            check_season()
            extra["menu_check_sql"] = len(statements)
            extra["menu_check_weeks"] = len(mondays)
            extra["menu_check_ms"], _samples = median_ms(check_season, 5)
            data = health.week(s, season.week_start)
            extra["conflicts_week"] = sum(len(v) for v in data["conflicts"].values())
        event.remove(db.engine, "before_cursor_execute", before)

        # the printed timetable of a group: the request as served, then the PDF from its HTML with the
        # Chinese text and with the same text in Latin letters (same template, same layout)
        captured = {}
        real_render = pdf.render_pdf

        def capture(html, **kw):
            captured["html"], captured["kw"] = html, kw
            return real_render(html, **kw)

        url = f"/groups/{season.group_id}/timetable.pdf?start={season.week_start.isoformat()}"
        pdf.render_pdf = capture
        try:
            c = clients["coordinator"]
            extra["pdf_request_ms"], _s = median_ms(lambda: c.get(url).get_data(), pdf_runs)
            response = c.get(url)
            assert response.status_code == 200 and response.data[:4] == b"%PDF", response.status_code
        finally:
            pdf.render_pdf = real_render
        html, kw = captured["html"], captured["kw"]
        latin = latin_only(html)
        if html_dir:
            (html_dir / "timetable_pdf.html").write_text(html)
            (html_dir / "timetable_pdf_latin.html").write_text(latin)
        # interleaved, so a busy machine shifts both alike
        zh_times, latin_times = [], []
        real_render(html, **kw), real_render(latin, **kw)
        for _ in range(pdf_runs):
            began = time.perf_counter()
            zh_bytes = real_render(html, **kw)
            zh_times.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            latin_bytes = real_render(latin, **kw)
            latin_times.append((time.perf_counter() - began) * 1000)
        extra.update(pdf_zh_ms=statistics.median(zh_times), pdf_latin_ms=statistics.median(latin_times),
                     pdf_ratio=statistics.median(z / l_ for z, l_ in zip(zh_times, latin_times)),
                     pdf_zh_kib=len(zh_bytes) / 1024, pdf_latin_kib=len(latin_bytes) / 1024,
                     pdf_sessions=html.count('class="s '))
        db.session.remove()
        db.engine.dispose()
    return district, season, roster, counts, extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5, help="worker CPU per page and round")
    parser.add_argument("--pdf-runs", type=int, default=7)
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--before", help="figures of an earlier run (its --json), shown beside")
    parser.add_argument("--html", help="keep each page's HTML here (to compare two trees)")
    parser.add_argument("--only", help="comma-separated page keys (default: all)")
    parser.add_argument("--write", action="store_true", help="write the sections into docs/PERFORMANCE.md")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="huhang-bench-"))
    env = instance_env(instance)
    began = time.perf_counter()
    try:
        district, season, roster, counts, extra = build(instance, Path(args.html) if args.html else None,
                                                        args.pdf_runs)
        print(f"data and in-process measures: {time.perf_counter() - began:.0f} s; {season}", flush=True)
        print(json.dumps(extra, indent=1), flush=True)
        todo = pages(season, roster)
        if args.only:
            keep = set(args.only.split(","))
            todo = [p for p in todo if p[0] in keep]
        cpu: dict[str, list[float]] = {key: [] for key, *_ in todo}
        cpu["hello"] = []
        ratios: dict[str, list[float]] = {key: [] for key, *_ in todo}
        load = [os.getloadavg()[0]]
        with gunicorn("bench.hello:app", env, WORKERS) as hello_port:
            hello_master = gunicorn.master_pid
            with gunicorn("bench.probe:app", env, WORKERS, config=True) as port:
                master = gunicorn.master_pid
                cookies = {"coordinator": {"Cookie": signed_in_cookie(port, district.coordinator_login,
                                                                      district.password)},
                           "volunteer": {"Cookie": signed_in_cookie(port, season.volunteer_login,
                                                                    district.password)}}
                sizes = {"hello": sized_count(hello_port, hello_master, "/", None, args.seconds)}
                for key, _label, path, who in todo:
                    sizes[key] = sized_count(port, master, path, cookies[who], args.seconds)
                for round_ in range(args.rounds):
                    for key, _label, path, who in todo:
                        hello = worker_cpu_per_request(hello_port, hello_master, "/", sizes["hello"])
                        page = worker_cpu_per_request(port, master, path, sizes[key], headers=cookies[who])
                        cpu["hello"].append(hello)
                        cpu[key].append(page)
                        ratios[key].append(page / hello)
                    print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.1f}×" for k, v in ratios.items()),
                          flush=True)
        load.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    wall = time.perf_counter() - began

    ms = {key: statistics.median(values) * 1000 for key, values in cpu.items()}
    ratio = {key: statistics.median(values) for key, values in ratios.items()}
    spread = {key: (min(values), max(values)) for key, values in ratios.items()}
    result = dict(machine=machine(), hello_ms=ms["hello"], ms=ms, ratio=ratio, spread=spread, counts=counts,
                  extra=extra, sessions=season.sessions, wall_s=wall)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    before = json.loads(Path(args.before).read_text(encoding="utf-8")) if args.before else None

    method = (f"Worker CPU per request (user + system of the 2 sync gunicorn workers, /proc, production "
              f"settings `-c gunicorn.conf.py`), median of {args.rounds} interleaved rounds, 4 client threads; the "
              f"bare Flask route (bench/hello.py, served the same way) measured right before each page: "
              f"{ms['hello']:.2f} ms per request in this run (median); the ratio is the median over the rounds of "
              f"page / bare route (range over the rounds in brackets). SQL: statements of one test-client pass. "
              f"SQLite; {machine()}; load average {load[0]:.1f} when the measuring began and {load[1]:.1f} when it "
              f"ended (above ~1 on these 2 CPUs, other work shared them: read ratios to about ±30 % then). "
              f"Whole run: {wall / 60:.1f} min.")
    data_note = (f"Data: bench/district.py (12 sites, {district.children:,} children, 240 volunteers) + "
                 f"bench/district_season.py: each site's season moved to the eight weeks around today and "
                 f"scheduled through `services.create_schedule` (all three tracks, six groups, eight weeks): "
                 f"**{season.sessions:,} sessions** in the district ({season.sessions_site} in the measured "
                 f"season, {season.sessions_week} in its week), {season.staff_rows:,} volunteer places rostered "
                 f"(every fifth session with one left open, one swap offer). Generating them took "
                 f"{season.generate_seconds:.0f} s (360 schedules, conflict checks included).")

    def table(keys) -> list[str]:
        head = "| page | CPU ms / request | × bare route | SQL | target |"
        rule = "|---|---:|---:|---:|---|"
        if before:
            head += " before: × bare route | before: SQL |"
            rule += "---:|---:|"
        lines = [head, rule]
        for key, label, _path, _who in todo:
            if key not in keys:
                continue
            lo, hi = spread[key]
            target = "–" if key == "signed_in" else ("≤ 20×: met" if ratio[key] <= 20 else "≤ 20×: **not reached**")
            row = (f"| {label} | {ms[key]:.2f} | **{ratio[key]:.1f}** ({lo:.1f}–{hi:.1f}) | "
                   f"{counts.get(key, '–')} | {target} |")
            if before:
                b = before.get("ratio", {}).get(key)
                row += f" {b:.1f} | {before['counts'].get(key, '–')} |" if b else " – | – |"
            lines.append(row)
        return lines

    schedule = ["## Timetable and rostering on a scheduled district (bench/bench_schedule.py, issue 10)", "",
                data_note, "", method, "", *table({"signed_in", "week", "week_group", "week_person", "my_shifts",
                                                    "session", "staffing"}), "",
                "The week grid's statement count does not depend on the number of sessions "
                "(tests/scheduling/test_week.py::test_the_week_grid_query_count_does_not_grow_with_sessions).", "",
                f"Printed group timetable (三年级, one week, {extra['pdf_sessions']} sessions, A4): "
                f"**{extra['pdf_zh_ms']:.0f} ms** to render the PDF from its HTML, against "
                f"**{extra['pdf_latin_ms']:.0f} ms** for the same HTML with every Chinese character replaced by "
                f"its pinyin and full-width punctuation by ASCII (same template and layout, Latin text only: "
                f"WeasyPrint's floor for this page): **{extra['pdf_ratio']:.2f}×** the floor (median of "
                f"{args.pdf_runs} interleaved pairs; {extra['pdf_zh_kib']:.0f} KiB vs {extra['pdf_latin_kib']:.0f} "
                f"KiB). The whole request (`/groups/<id>/timetable.pdf`, test client, queries and template "
                f"included): {extra['pdf_request_ms']:.0f} ms."]
    menus = ["## Menus and their check on district enrolment (bench/bench_schedule.py, issue 12)", "",
             f"The first site's season: {season.menu_dishes} dishes over eight weeks (the demo's two weeks of "
             f"school lunches in turn, one failing day every second week), the national food table loaded with "
             f"the health loader, 125 enrolled children of whom about 8 % are allergic to peanuts "
             f"(宫保鸡丁: {extra['conflicts_week']} allergy conflicts in the measured week). Same run as the "
             f"timetable section.", "",
             f"Checking the whole season's menus (`app.health.queries.week` for each of its "
             f"{extra['menu_check_weeks']} weeks: nutrition per age group present and the allergy list, in "
             f"process): **{extra['menu_check_ms']:.0f} ms** (median of 5), {extra['menu_check_sql']} SQL "
             f"statements ({extra['menu_check_sql'] // max(extra['menu_check_weeks'], 1)} per week).", "",
             *table({"menus"})]
    today = ["## The day at the site (bench/bench_schedule.py, issue 11)", "",
             f"The first site on a working day ({season.day.isoformat()}): {season.expected_today} children "
             f"expected, two thirds arrived, every tenth already picked up. Same run as the timetable section.", "",
             *table({"today", "roster"}), "",
             f"**All present on a {extra['bulk_children']}-child roster** (`POST /sessions/<id>/attendance/all-present`, "
             f"the htmx press on the roster): one request, **{extra['bulk_ms']:.0f} ms** in process (test client, "
             f"median of the first press on {extra['bulk_rosters']} rosters: {extra['bulk_children']} marks and "
             f"their change records written and committed, the roster answered), {extra['bulk_sql']} SQL statements. "
             f"Taps a coordinator needs for a 40-child roster with two absences, after opening it: **3** "
             f"(all present, then one tap on each absence; tests/daily/test_attendance_browser.py counts the "
             f"POST requests on a 360 px phone).", ""]
    if not roster:
        today.append("The session attendance roster is not measured yet: its route is not in this tree. "
                     "`roster_path()` in bench/bench_schedule.py finds it (a GET route "
                     "`/sessions/<id>/attendance` or `/sessions/<id>/roster`) and adds its row once it is merged.")
    for name, lines in (("schedule", schedule), ("menus", menus), ("today", today)):
        text = "\n".join(lines)
        print(text, "\n", flush=True)
        if args.write and not args.only:
            write_section(name, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
