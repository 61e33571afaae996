"""The season roster reads its page of rows and their total in one statement (no ORM objects, no
separate count), and pages past the end still say how many there are; the child's record reads its
site with the site's seasons, and of who recorded a consent only the account (not its grants)."""
import re
from datetime import datetime

from app.children.models import PickupPerson


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="enrolment-(\d+)"', html)


def test_the_roster_pages_its_rows_and_counts_them_in_the_same_statement(coordinator, count_queries, make, world):
    names = [f"孩子{i:02d}" for i in range(30)]
    for name in names:
        make.enrolment(make.child(world.site, name), world.season, status="enrolled")
    url = f"/seasons/{world.season.id}/children"
    coordinator.get(url)
    with count_queries() as reads:
        first = coordinator.get(url).get_data(as_text=True)
    assert len(_rows(first)) == 25 and "Found: 30" in first and "Page 1 of 2" in first
    # the open-alerts badge of a coordinator's navigation comes with the user; the season with its site
    assert reads.count == 10, "\n".join(s[:120] for s in reads.statements)
    paged = [" ".join(s.split()) for s in reads.statements if "count(*) OVER ()" in s]
    assert len(paged) == 1 and "FROM enrolments JOIN children" in paged[0]
    assert not [s for s in reads.statements if "FROM (SELECT" in " ".join(s.split())]  # no count of a subquery

    second = coordinator.get(url, query_string={"page": 2}).get_data(as_text=True)
    assert len(_rows(second)) == 5 and "Page 2 of 2" in second
    assert not set(_rows(first)) & set(_rows(second))
    past = coordinator.get(url, query_string={"page": 9}, headers={"HX-Request": "true"})
    html = past.get_data(as_text=True)
    assert past.status_code == 200 and _rows(html) == [] and "Found: 30" in html and "Page 9 of 2" in html
    none = coordinator.get(url, query_string={"q": "不存在的名字"}).get_data(as_text=True)
    assert _rows(none) == [] and "Found: 0" in none


def test_a_roster_row_shows_the_child_and_its_enrolment(coordinator, make, world):
    child = make.child(world.site, "王小明", grade=3, school="湖州市第一小学")
    enrolment = make.enrolment(child, world.season, status="waitlisted")
    html = coordinator.get(f"/seasons/{world.season.id}/children").get_data(as_text=True)
    row = html.split(f'<tr id="enrolment-{enrolment.id}">', 1)[1].split("</tr>", 1)[0]
    assert f'href="/children/{child.id}"' in row and "王小明" in row and "湖州市第一小学" in row
    assert "Grade 3" in row and "Waitlisted" in row


def test_the_child_record_reads_its_site_with_the_seasons(coordinator, count_queries, db, make, world):
    child = make.child(world.site)
    make.consent(child, world.users["coordinator"])
    make.enrolment(child, world.season)
    db.session.add(PickupPerson(child_id=child.id, name="接送", relation="亲戚", phone="13900000000"))
    db.session.commit()
    url = f"/children/{child.id}"
    coordinator.get(url)
    with count_queries() as reads:
        html = coordinator.get(url).get_data(as_text=True)
    assert world.site.name in html
    # the open-alerts badge of a coordinator's navigation comes with the user
    assert reads.count == 11, "\n".join(s[:120] for s in reads.statements)
    flat = [" ".join(s.split()) for s in reads.statements]
    assert not [s for s in flat if s.startswith("SELECT sites.")]  # the site came with its seasons
    assert not [s for s in flat if s.startswith("SELECT role_grants.")]  # nor the grants of who recorded the consent


def test_every_text_of_a_roster_row_is_escaped(coordinator, make, world):
    """The roster's rows are written without autoescaping (for speed): each text in them is escaped
    by hand, the child's name, school and alert, for a child with a link and an erased one."""
    child = make.child(world.site, '<b>王"小明</b>', school="<i>一小</i> & 'B'", allergies="<script>花生</script>")
    erased = make.child(world.site, "<u>李</u>")
    enrolment = make.enrolment(child, world.season, status="applied")
    gone = make.enrolment(erased, world.season, status="withdrawn")
    erased.erased_at = datetime(2025, 7, 1)
    make.consent(child)
    html = coordinator.get(f"/seasons/{world.season.id}/children").get_data(as_text=True)
    row = html.split(f'<tr id="enrolment-{enrolment.id}">', 1)[1].split("</tr>", 1)[0]
    assert "<strong>&lt;b&gt;王&#34;小明&lt;/b&gt;</strong>" in row
    assert "&lt;i&gt;一小&lt;/i&gt; &amp; &#39;B&#39;" in row and "&lt;script&gt;花生&lt;/script&gt;" in row
    assert "<b>" not in row and "<i>" not in row and "<script>" not in row
    assert f'action="/enrolments/{enrolment.id}/decide"' in row and f'action="/enrolments/{enrolment.id}/withdraw"' in row
    other = html.split(f'<tr id="enrolment-{gone.id}">', 1)[1].split("</tr>", 1)[0]
    assert '<span class="muted">&lt;u&gt;李&lt;/u&gt;</span>' in other and "<u>" not in other
