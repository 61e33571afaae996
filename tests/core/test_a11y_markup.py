"""What a screen reader and a phone keyboard get from the forms' markup (templates/macros/forms.html):
an error is tied to its field, a refused rule marks the fields it concerns, a requirement is said
once, ids are unique, one <h1> per page, and phone and ID-number fields bring the right keypad."""
from __future__ import annotations

from collections import Counter
from datetime import date
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """The elements of a page: their tag and attributes, and the text inside each element with an id
    or inside each <label>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, dict, list[str]]] = []
        self.labels: list[tuple[dict, str, bool]] = []  # (attrs, text read aloud, whole text)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        self.elements.append((tag, attrs))
        if tag not in VOID:
            self._open.append((tag, attrs, []))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, attrs, parts = self._open.pop()
            text = "".join(parts)
            if "id" in attrs:
                self.text[attrs["id"]] = " ".join(text.split())
            if open_tag == "label":
                self.labels.append((attrs, text))
            if self._open:
                self._open[-1][2].append(text)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._open:
            hidden = any(attrs.get("aria-hidden") == "true" for _, attrs, _ in self._open)
            if not hidden:
                self._open[-1][2].append(data)

    def by_name(self, name: str, tag: str | None = None) -> dict:
        found = [a for t, a in self.elements if a.get("name") == name and (tag is None or t == tag)
                 and a.get("type") != "hidden"]
        assert len(found) == 1, (name, found)
        return found[0]

    def described_by(self, attrs: dict) -> str:
        return " ".join(self.text.get(i, "") for i in attrs.get("aria-describedby", "").split())

    def ids(self) -> Counter:
        return Counter(a["id"] for _, a in self.elements if "id" in a)

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.elements if t == tag)

    def label_for(self, element_id: str) -> str:
        found = [text for attrs, text in self.labels if attrs.get("for") == element_id]
        assert len(found) == 1, (element_id, found)
        return " ".join(found[0].split())


def _join_data(**values):
    data = {"real_name": "", "phone": "138222200", "id_type": "resident_id", "id_number": "123", "agree": ""}
    return {**data, **values}


def test_a_refused_form_ties_each_message_to_its_field(client, world):
    response = client.post(f"/join/{world.site.id}", data=_join_data(), headers={"HX-Request": "true"})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    for name, words in (("real_name", "此项为必填项"), ("phone", "11"), ("id_number", "居民身份证"),
                        ("agree", "此项为必填项")):
        field = page.by_name(name)
        assert field.get("aria-invalid") == "true", name
        assert words in page.described_by(field), (name, page.described_by(field))
    # a field without an error is not marked, and its help is still tied to it
    birth = page.by_name("birth_date")
    assert "aria-invalid" not in birth and "居民身份证" in page.described_by(birth)


def test_a_refused_enrolment_marks_the_season_it_concerns(client, login, make, world):
    child = make.child(world.site)  # no consent yet
    login(client, world.users["coordinator"])
    response = client.post(f"/children/{child.id}/enrolments", data={"season_id": world.season.id, "action": "enrol"})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    season = page.by_name("season_id", "select")
    assert season.get("aria-invalid") == "true"
    assert "同意" in page.described_by(season)  # "Record the guardian's consent before enrolling"


def test_an_overlap_marks_both_the_start_and_the_end(client, login, make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    make.hour_entry(profile, date(2025, 7, 8), "09:00", "11:00", season=world.season)
    login(client, world.users["volunteer"])
    response = client.post(f"/volunteers/{profile.id}/hours", headers={"HX-Request": "true"}, data={
        "work_date": "2025-07-08", "starts_at": "10:00", "ends_at": "12:00", "activity": "辅导"})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    for name in ("starts_at", "ends_at"):
        field = page.by_name(name)
        assert field.get("aria-invalid") == "true", name
        assert "09:00" in page.described_by(field) and "11:00" in page.described_by(field), name
    assert response.get_data(as_text=True).count("09:00") == 1  # the message is shown once


def test_required_fields_are_exposed_as_required_and_the_star_is_not_read(app, client, login, world, make):
    login(client, world.users["coordinator"])
    page = Page(client.get(f"/sites/{world.site.id}/children/new").get_data(as_text=True))
    for name in ("name", "sex", "birth_date", "grade", "guardian_phone"):
        field = page.by_name(name)
        assert "required" in field, name
        label = page.label_for(field["id"])
        assert "*" not in label and label, (name, label)
    assert "required" not in page.by_name("school")

    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    client = app.test_client()
    login(client, world.users["volunteer"])
    page = Page(client.get(f"/volunteers/{profile.id}").get_data(as_text=True))
    for name, kind in (("work_date", "date"), ("starts_at", "time"), ("ends_at", "time")):
        field = page.by_name(name)
        assert "required" in field and field.get("type") == kind, name
        label = page.label_for(field["id"])
        assert label and "*" not in label, (name, label)


def test_the_child_page_has_unique_ids_labels_for_their_own_fields_and_one_h1(client, login, make, world):
    child = make.child(world.site, "张三")
    login(client, world.users["coordinator"])
    html = client.get(f"/children/{child.id}").get_data(as_text=True)
    page = Page(html)
    repeated = {i: n for i, n in page.ids().items() if n > 1}
    assert not repeated, repeated
    assert page.count("h1") == 1
    # each label points at the field of its own form: the pickup person's name, not the guardian's
    pickup_name = [a for t, a in page.elements if a.get("name") == "name" and a.get("id", "").startswith("pickup")]
    assert len(pickup_name) == 1
    assert page.label_for(pickup_name[0]["id"]) == "姓名"
    guardian_phone = [a for t, a in page.elements if a.get("name") == "phone" and a.get("id", "").startswith("guardian")]
    assert len(guardian_phone) == 1 and guardian_phone[0]["type"] == "tel"


def test_phone_and_id_number_fields_bring_the_right_keypad(app, client, login, make, world):
    page = Page(client.get(f"/join/{world.site.id}").get_data(as_text=True))
    phone = page.by_name("phone")
    assert (phone["type"], phone["inputmode"], phone["autocomplete"]) == ("tel", "tel", "tel")
    assert page.by_name("real_name")["autocomplete"] == "name"
    id_number = page.by_name("id_number")
    # never remembered or offered by the browser; letters allowed (a resident ID may end in X)
    assert id_number["autocomplete"] == "off" and id_number.get("inputmode") != "numeric"
    guardian_phone = page.by_name("guardian_phone")  # someone else's number: not the applicant's own
    assert (guardian_phone["inputmode"], guardian_phone["autocomplete"]) == ("tel", "off")

    login(client, world.users["admin"])
    for url in (f"/sites/{world.site.id}/children/new", "/admin/users", f"/sites/{world.site.id}/parties"):
        page = Page(client.get(url).get_data(as_text=True))
        phones = [a for _, a in page.elements if "phone" in a.get("name", "") and a.get("type") != "hidden"
                  and a.get("type") != "search"]
        assert phones, url
        for field in phones:
            assert (field.get("type"), field.get("inputmode"), field.get("autocomplete")) == ("tel", "tel", "off"), url
    page = Page(app.test_client().get("/auth/login").get_data(as_text=True))
    assert page.by_name("login")["autocomplete"] == "username"
    assert page.by_name("password")["autocomplete"] == "current-password"


def test_a_fields_help_and_errors_are_escaped_and_tied_to_it(app):
    """A field's own words (help, errors, label) are text, never markup, wherever they come from."""
    from wtforms import StringField

    from app.core.forms import BaseForm, field_html, required

    class Form(BaseForm):
        name = StringField('名字 <i>', validators=[required()], description="<script>alert(1)</script>")

    with app.test_request_context("/", method="POST", data={}):
        form = Form()
        assert not form.validate()
        form.name.errors.append('<b>"坏"</b>')
        html = str(field_html(form.name, prefix="g-"))
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;&#34;坏&#34;&lt;/b&gt;" in html
    page = Page(html)
    [field] = [attrs for tag, attrs in page.elements if tag == "input"]
    assert field["id"] == "g-name" and field["aria-invalid"] == "true" and "required" in field
    assert field["aria-describedby"] == "g-name-error g-name-help"
    assert page.text["g-name-help"] == "<script>alert(1)</script>"
