"""The volunteer page: its hours history paged with the total in the same statement, and the notice
for an account that holds other roles read from the grants loaded with the profile."""
import re
from datetime import date, timedelta

import pytest

from app.auth.models import RoleGrant

D = date(2025, 7, 7)


def _entries(html: str) -> list[str]:
    return re.findall(r'data-testid="entry-(\d+)"', html)


def test_the_history_is_paged_with_its_total_in_the_same_statement(client, login, count_queries, make, world):
    coordinator = client
    login(client, world.users["coordinator"])
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site)
    for i in range(25):
        make.hour_entry(profile, D + timedelta(days=i))
    url = f"/volunteers/{profile.id}"
    coordinator.get(url)
    with count_queries() as reads:
        html = coordinator.get(url).get_data(as_text=True)
    assert len(_entries(html)) == 10 and "第 1 页，共 3 页" in html
    # the open-alerts badge of a coordinator's navigation comes with the user; the site has not set who
    # issues certificates, so no certificate form is built and its period (a season) is not read
    # the site and its certificate settings are read together
    assert reads.count == 11, "\n".join(s[:120] for s in reads.statements)
    flat = [" ".join(s.split()) for s in reads.statements]
    assert not [s for s in flat if "FROM seasons" in s and "hour_entries" not in s]
    assert 'data-testid="certificate-form"' not in html and 'data-testid="check-form"' in html
    assert not [s for s in flat if "FROM (SELECT" in s]  # no count over a subquery
    assert not [s for s in flat if s.startswith("SELECT count(*)") and "FROM role_grants" in s]

    hx = {"HX-Request": "true"}
    pages = [coordinator.get(f"{url}/hours", query_string={"page": n}, headers=hx).get_data(as_text=True)
             for n in (1, 2, 3)]
    assert [len(_entries(p)) for p in pages] == [10, 10, 5] and "第 3 页，共 3 页" in pages[2]
    assert len({e for p in pages for e in _entries(p)}) == 25
    past = coordinator.get(f"{url}/hours", query_string={"page": 7}, headers=hx)
    assert past.status_code == 200 and _entries(past.get_data(as_text=True)) == []
    assert "第 7 页，共 3 页" in past.get_data(as_text=True)
    whole = coordinator.get(f"{url}/hours").get_data(as_text=True)  # the full page: 25 a page
    assert len(_entries(whole)) == 25 and 'class="pager"' not in whole


@pytest.mark.parametrize("role, where, notice", [
    (None, None, False),
    ("coordinator", "other", True),
    ("volunteer", "other", True),
    ("guardian", "site", True),
    ("auditor", "site", True),
])
def test_only_an_administrator_resets_an_account_with_other_roles(client, login, db, make, world, role, where, notice):
    coordinator = client
    login(client, world.users["coordinator"])
    volunteer = make.user("volunteer", world.site)
    profile = make.volunteer_profile(volunteer, world.site)
    if role:
        site = world.other_site if where == "other" else world.site
        db.session.add(RoleGrant(user_id=volunteer.id, role=role, site_id=site.id))
        db.session.commit()
    html = coordinator.get(f"/volunteers/{profile.id}").get_data(as_text=True)
    assert ('data-testid="admin-only-reset"' in html) is notice
    assert (f'action="/volunteers/{profile.id}/invitation"' in html) is not notice
