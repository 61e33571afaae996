#!/usr/bin/env python3
"""Children area at district size: roster page and live search on 5,000 enrolments, and an import of
1,000 rows. Times are medians of --runs requests through the Flask test client (server time only,
no network), reported as ratios against /healthz measured in the same run; query counts are exact.

    .venv/bin/python bench/bench_children.py [--runs 15] [--database-url postgresql://...] [--write]

--write replaces the "## Children" section of docs/PERFORMANCE.md with the results.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITES, SEASONS_PER_SITE, PER_SEASON = 10, 5, 100  # 10 × 5 × 100 = 5,000 enrolments


def build(app):
    """District-size data: 10 sites × 5 seasons × 100 enrolments, 5,000 children, one coordinator."""
    from sqlalchemy import insert

    from app.auth.models import RoleGrant, User
    from app.children.models import Child, Enrolment, Guardian
    from app.children.names import name_pinyin
    from app.extensions import db
    from app.sites.models import Season, Site

    import random

    rng = random.Random(7)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = ["浩然", "子轩", "欣怡", "梓涵", "雨桐", "俊杰", "诗琪", "一鸣", "思远", "可馨", "玥", "堃"]
    user = User(username="bench", display_name="基准社工")
    user.set_password("bench-password-1")
    db.session.add(user)
    sites = [Site(name=f"服务点{i}", district="南浔区") for i in range(SITES)]
    db.session.add_all(sites)
    db.session.flush()
    db.session.add(RoleGrant(user_id=user.id, role="coordinator", site_id=sites[0].id))
    seasons = []
    for site in sites:
        for year in range(2021, 2021 + SEASONS_PER_SITE):
            seasons.append(Season(site_id=site.id, name=f"{year}年暑期", start_date=date(year, 7, 7),
                                  end_date=date(year, 8, 29), capacity=90))
    db.session.add_all(seasons)
    db.session.flush()
    children, guardians, enrolments = [], [], []
    child_id = 0
    for season in seasons:
        for i in range(PER_SEASON):
            child_id += 1
            name = rng.choice(surnames) + rng.choice(given)
            pinyin, initials = name_pinyin(name)
            children.append(dict(id=child_id, site_id=season.site_id, name=name, name_pinyin=pinyin,
                                 name_initials=initials, sex=rng.choice("mf"), birth_date=date(2015, 1, 1),
                                 grade=rng.randint(1, 9), school=rng.choice(["旧馆小学", "练市小学", "实验中学"]),
                                 hometown="安徽阜阳", allergies="花生" if rng.random() < 0.08 else "",
                                 conditions="", medicines="", notes="", high_risk=rng.random() < 0.01,
                                 may_go_home_alone=False, created_at=datetime(2025, 5, 1),
                                 updated_at=datetime(2025, 5, 1)))
            guardians.append(dict(child_id=child_id, name="家长", relation="父亲", phone=f"138{child_id:08d}",
                                  employer="纺织厂"))
            enrolments.append(dict(child_id=child_id, season_id=season.id,
                                   status="enrolled" if i < 90 else "waitlisted",
                                   applied_at=datetime(2025, 5, 1) + timedelta(minutes=i)))
    db.session.execute(insert(Child), children)
    db.session.execute(insert(Guardian), guardians)
    db.session.execute(insert(Enrolment), enrolments)
    db.session.commit()
    return user, sites[0], [s for s in seasons if s.site_id == sites[0].id][-1]


def timed(client, url, runs, counter):
    client.get(url)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, headers={"HX-Request": "true"} if "q=" in url else {})
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    counter.clear()
    client.get(url, headers={"HX-Request": "true"} if "q=" in url else {})
    return statistics.median(times), len(counter)


def import_file(rows: int) -> bytes:
    from openpyxl import Workbook

    from app.children.importer import HEADERS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append([f"导入{i}", "男", "2016-01-01", "三年级", "旧馆小学", "河南周口", "家长", "父亲",
                      f"137{i:08d}", "纺织厂", "", "", "", "否", "否"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import event

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from tests.conftest import CsrfClient, sign_in

    tmp = tempfile.mkdtemp(prefix="huhang-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app(TestConfig(url, WTF_CSRF_ENABLED=False))
    app.test_client_class = CsrfClient
    statements = []
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        t0 = time.perf_counter()
        user, site, season = build(app)
        build_s = time.perf_counter() - t0
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        client = app.test_client()
        sign_in(client, user, "bench-password-1")
        results = {}
        results["baseline"] = timed(client, "/healthz", args.runs, statements)
        results["roster"] = timed(client, f"/seasons/{season.id}/children", args.runs, statements)
        results["roster_p3"] = timed(client, f"/seasons/{season.id}/children?page=3", args.runs, statements)
        results["site_list"] = timed(client, f"/sites/{site.id}/children", args.runs, statements)
        results["search_pinyin"] = timed(client, f"/sites/{site.id}/children?q=zhang", args.runs, statements)
        results["search_initials"] = timed(client, f"/sites/{site.id}/children?q=wh", args.runs, statements)
        results["search_hanzi"] = timed(client, f"/sites/{site.id}/children?q=王", args.runs, statements)
        results["detail"] = timed(client, "/children/1", args.runs, statements)

        from sqlalchemy import func, select

        from app.children.models import Child, Enrolment

        total_children = db.session.scalar(select(func.count()).select_from(Child))
        total_enrolments = db.session.scalar(select(func.count()).select_from(Enrolment))
        data = import_file(1000)
        t0 = time.perf_counter()
        response = client.post(f"/sites/{site.id}/children/import",
                               data={"file": (io.BytesIO(data), "bench.xlsx")}, content_type="multipart/form-data")
        preview_s = time.perf_counter() - t0
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        batch_url = response.location
        t0 = time.perf_counter()
        response = client.post(batch_url + "/confirm", data={})
        confirm_s = time.perf_counter() - t0
        assert response.status_code == 303
        assert db.session.scalar(select(func.count()).select_from(Child)) == total_children + 1000
        dialect = db.engine.dialect.name
        db.engine.dispose()

    base = results["baseline"][0]
    lines = [
        f"Measured {datetime.now().strftime('%Y-%m-%d')} on {dialect}, {total_enrolments:,} enrolments of "
        f"{total_children:,} children ({SITES} sites × {SEASONS_PER_SITE} seasons × {PER_SEASON}; 8% with an "
        f"allergy), median of {args.runs} requests through the Flask test client (server time, no network). "
        f"Baseline: `/healthz` = {base * 1000:.2f} ms. Data built in {build_s:.1f} s.",
        "",
        "| page | median ms | × baseline | SQL queries |",
        "|---|---:|---:|---:|",
    ]
    labels = {"roster": "season roster, page 1 (25 rows, alerts)", "roster_p3": "season roster, page 3",
              "site_list": "site's children list (500 children)", "search_pinyin": "live search `q=zhang` (htmx fragment)",
              "search_initials": "live search `q=wh` (initials)", "search_hanzi": "live search `q=王`",
              "detail": "one child's record (logged view)"}
    for key, label in labels.items():
        ms, queries = results[key]
        lines.append(f"| {label} | {ms * 1000:.1f} | {ms / base:.0f} | {queries} |")
    lines += ["", f"Import of 1,000 rows (.xlsx, {len(data) // 1024} KB): upload + check + preview stored "
              f"{preview_s:.2f} s; confirm (1,000 children, guardians, audit entries in one transaction) "
              f"{confirm_s:.2f} s."]
    report = "\n".join(lines)
    print(report)
    if args.write:
        from bench.common import write_section

        write_section("children", "## Children\n\n`bench/bench_children.py` (run: `.venv/bin/python "
                      "bench/bench_children.py --write`).\n\n" + report + "\n\nThe query count of the roster "
                      "and list pages does not grow with the number of children (pinned by "
                      "`tests/children/test_children.py::test_query_count_does_not_grow_with_children`).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
