#!/usr/bin/env python3
"""Volunteers: certificate PDF time (prepared subset font vs the system Noto Sans CJK SC, same page,
same run) and bulk approval of 1,000 hour entries (time and SQL statements vs approving 10).

    .venv/bin/python bench/bench_volunteers.py [--runs 7] [--write]

Uses a throw-away SQLite database (or DATABASE_URL) migrated to heads. --write replaces the
"## Volunteers" section of docs/PERFORMANCE.md with the results.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, time as dtime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOTO_ONLY = "html, body, body * { font-family: 'Noto Sans CJK SC' !important; }"


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="write the results to docs/PERFORMANCE.md")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import event

    from app import create_app
    from app.config import TestConfig, database_url
    from app.core.pdf import render_pdf
    from app.extensions import db
    from app.volunteers import services
    from app.volunteers.models import HourEntry, VolunteerProfile
    from app.volunteers.routes import certificate_html
    from tests import factories as make

    tmp = tempfile.TemporaryDirectory()
    uri = database_url(f"sqlite:///{tmp.name}/bench.db")
    app = create_app(TestConfig(uri, SERVER_NAME="huhang.example"))
    results: dict[str, float] = {}
    with app.app_context():
        upgrade(revision="heads")
        site = make.site("旧馆街道")
        season = make.season(site, "2025年暑期")
        coordinator = make.user("coordinator", site, password=None)
        profile = make.volunteer_profile(make.user("volunteer", site, password=None), site, real_name="张喆",
                                         volunteer_number="330503-2025-0417")
        make.volunteer_settings(site, issuer_name="南浔区旧馆街道社会工作服务站")
        for i, activity in enumerate(["三年级数学辅导", "书法兴趣课助教（堃玥组）", "午餐分餐与看护"]):
            make.hour_entry(profile, date(2025, 7, 8) + timedelta(days=i), status="approved", activity=activity,
                            season=season)
        certificate = make.certificate(profile, date(2025, 7, 7), date(2025, 8, 29), by=coordinator)

        with app.test_request_context():
            html = certificate_html(certificate)
        sheets = ["/static/css/certificate.css"]
        results["pdf_subset_ms"] = median_ms(lambda: render_pdf(html, stylesheets=sheets), args.runs)
        results["pdf_noto_ms"] = median_ms(lambda: render_pdf(html, stylesheets=sheets, css=NOTO_ONLY), args.runs)
        results["pdf_subset_kib"] = len(render_pdf(html, stylesheets=sheets)) / 1024
        results["pdf_noto_kib"] = len(render_pdf(html, stylesheets=sheets, css=NOTO_ONLY)) / 1024

        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cur, statement, *a: statements.append(statement))

        def approve(n: int) -> tuple[float, int]:
            base = date(2000, 1, 1)
            db.session.bulk_insert_mappings(HourEntry, [dict(
                profile_id=profile.id, site_id=site.id, work_date=base + timedelta(days=i), starts_at=dtime(9),
                ends_at=dtime(10), minutes=60, activity="辅导", source="manual", status="pending", reject_reason="")
                for i in range(n)])
            db.session.commit()
            ids = [i for (i,) in db.session.query(HourEntry.id).filter(HourEntry.status == "pending")]
            statements.clear()
            start = time.perf_counter()
            count = services.review(site.id, ids, "approve", coordinator)
            db.session.commit()
            elapsed = (time.perf_counter() - start) * 1000
            assert count == n, (count, n)
            db.session.query(HourEntry).filter(HourEntry.work_date < date(2001, 1, 1)).delete()
            db.session.commit()
            return elapsed, len(statements)

        small = [approve(10) for _ in range(args.runs)]
        large = [approve(1000) for _ in range(args.runs)]
        results["approve10_ms"] = statistics.median(t for t, _ in small)
        results["approve1000_ms"] = statistics.median(t for t, _ in large)
        results["approve10_sql"] = max(q for _, q in small)
        results["approve1000_sql"] = max(q for _, q in large)
        assert db.session.query(VolunteerProfile).count() == 1
        dialect = db.engine.dialect.name
        db.engine.dispose()

    r = results
    report = f"""## Volunteers

Measured with `.venv/bin/python bench/bench_volunteers.py --runs {args.runs}` ({dialect}, Python
{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs); medians after one warm-up.
Ratios are from the same run, so they hold better than the absolute times on a shared machine.

**Certificate PDF (志愿服务证明, one A4 page with an inline SVG QR code).** The font is the one
prepared for PDFs (`print.css`: the "Huhang Sans" GB2312+ subset of Noto Sans CJK SC, full system
fonts only as a fallback); the baseline is the same page with only the system's 'Noto Sans CJK SC'
(the 19 MB collection) chosen by family name.

| font | median | PDF size |
|---|---:|---:|
| prepared subset 'Huhang Sans' (used) | {r['pdf_subset_ms']:.0f} ms | {r['pdf_subset_kib']:.0f} KiB |
| system 'Noto Sans CJK SC' only | {r['pdf_noto_ms']:.0f} ms | {r['pdf_noto_kib']:.0f} KiB |
| ratio subset / system | {r['pdf_subset_ms'] / r['pdf_noto_ms']:.2f} | {r['pdf_subset_kib'] / r['pdf_noto_kib']:.2f} |

**Bulk approval** of pending hour entries through `volunteers.services.review` (one `UPDATE … WHERE
id IN (…)`, then the commit):

| entries | median | SQL statements |
|---|---:|---:|
| 10 (baseline) | {r['approve10_ms']:.1f} ms | {r['approve10_sql']} |
| 1,000 | {r['approve1000_ms']:.1f} ms | {r['approve1000_sql']} |
| ratio 1,000 / 10 | {r['approve1000_ms'] / r['approve10_ms']:.1f} | {r['approve1000_sql'] / r['approve10_sql']:.1f} |

The statement count does not grow with the number of entries (also pinned by
`tests/volunteers/test_hours.py::test_bulk_approval_runs_a_constant_number_of_queries`).
"""
    print(report)
    if args.write:
        from bench.common import write_section

        write_section("volunteers", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
