"""Chinese that reads right (issue 9): hours with their unit ("1.5 小时", not "(1.5 h)"), the donor
column says 捐赠方 (not 起, a mistranslation of "From"), quantities without ".00", and the ledger's
chart shows each party's full name, wrapped, at a readable size."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import force_locale

from app.core.formats import format_duration, format_quantity


def test_duration_and_quantity_read_right_in_both_languages(app):
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert format_duration(90) == "1.5 小时" and format_duration(120) == "2 小时"
            assert format_duration(None) == "0 小时" and format_duration(100) == "1.67 小时"
        with force_locale("en"):
            assert format_duration(90) == "1.5 h"
    from decimal import Decimal

    assert format_quantity(Decimal("300.00")) == "300" and format_quantity(Decimal("2.50")) == "2.5"
    assert format_quantity(Decimal("12000")) == "12,000" and format_quantity(None) == ""


def test_the_donations_table_names_the_donor_and_counts_without_zeros(client, login, make, world):
    charity = make.party(world.site, "charity", "南浔区慈善总会")
    make.donation(world.site, charity, "600", kind="in_kind", item="练习本", quantity=300, unit="册",
                  season=world.season)
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/donations").get_data(as_text=True)
    assert "<th>捐赠方</th>" in html and "<th>起</th>" not in html
    assert "× 300 册" in html and "300.00" not in html


def test_the_ledger_chart_shows_full_names_wrapped_and_hours_with_their_unit(client, login, make, world):
    long_name = "旧馆镇织里纺织有限公司湖州南浔分公司第二车间工会"  # 24 characters
    company = make.party(world.site, "charity", long_name)
    make.donation(world.site, company, "3600", season=world.season)
    team = make.party(world.site, "volunteer", "湖州师范学院青年志愿者服务队")
    profile = make.volunteer_profile(site=world.site, party_id=team.id)
    make.hour_entry(profile, date(2025, 7, 8), "09:00", "10:30", status="approved", season=world.season)
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{world.season.id}/ledger").get_data(as_text=True)
    labels = re.findall(r'<text[^>]*class="bar-label">([^<]*)</text>', html)
    assert "".join(labels[:2]) == long_name and "…" not in "".join(labels)
    assert f"<title>{long_name}: 3,600.00</title>" in html
    assert "湖州师范学院青年志愿者服务队" in labels
    assert re.search(r'class="bar-value">1\.5 小时</text>', html)


def test_hours_show_with_their_unit_in_the_volunteer_history(client, login, make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    make.hour_entry(profile, date(2025, 7, 8), "09:00", "10:30", season=world.season)
    login(client, world.users["volunteer"])
    html = client.get(f"/volunteers/{profile.id}").get_data(as_text=True)
    assert "1.5 小时" in html and " h)" not in html


def test_hours_show_with_their_unit_in_the_queue(client, login, make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    make.hour_entry(profile, date(2025, 7, 8), "09:00", "10:30", season=world.season)
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/hours/pending").get_data(as_text=True)
    assert "1.5 小时" in html and " h)" not in html
