"""Files: the season roster (.xlsx) and everything held about one child (.xlsx or .json).

Both are written by ``app.core.xlsx.workbook`` (cells are values, never formulas) and both leave an
"export" entry in the audit trail for every child in the file (``audit.record_read``; the entries
are written after the response is built, the GET itself never commits)."""
from __future__ import annotations

import json

from flask_babel import gettext as _

from app.children import queries
from app.children.labels import GRADE_LABELS, SEX_LABELS, STATUS_LABELS
from app.children.models import Child, Enrolment
from app.core import audit
from app.core.timeutil import to_local, utcnow
from app.core.xlsx import XLSX, workbook

__all__ = ["XLSX", "roster_file", "child_file"]


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _when(value) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _consent_text(consents) -> str:
    if not consents:
        return _("none")
    latest = consents[-1]
    if latest.source == "paper":
        return _("Paper consent form, signed on %(day)s", day=latest.signed_on.isoformat() if latest.signed_on else "?")
    return _("Consented on %(day)s", day=to_local(latest.consented_at).strftime("%Y-%m-%d"))


# --- the season roster ----------------------------------------------------------------------------
def roster_xlsx(season, enrolments: list[Enrolment]) -> bytes:
    headers = [_("No."), _("Full name"), _("Sex"), _("Birth date"), _("Grade"), _("School"), _("Hometown"),
               _("Status"), _("Applied"), _("Guardians"), _("Pickup persons"), _("May go home alone"),
               _("Allergies"), _("Health conditions"), _("Medicines"), _("High risk"), _("Consent"), _("Notes")]
    rows = []
    for number, e in enumerate(enrolments, start=1):
        c = e.child
        rows.append([number, c.name, str(SEX_LABELS.get(c.sex, "")), c.birth_date.isoformat() if c.birth_date else "",
                     str(GRADE_LABELS.get(c.grade, "")), c.school, c.hometown, str(STATUS_LABELS[e.status]),
                     _when(e.applied_at),
                     "；".join(f"{g.name}（{g.relation}）{g.phone}" for g in c.guardians),
                     "；".join(f"{p.name}（{p.relation}）{p.phone}" for p in c.pickups),
                     _yes(c.may_go_home_alone), c.allergies, c.conditions, c.medicines, _yes(c.high_risk),
                     _consent_text(c.consents), c.notes])
    return workbook([(season.name, headers, rows)], title=f"{season.site.name} · {season.name}")


def roster_file(season, *, by) -> tuple[bytes, str]:
    """The roster of ``season`` as .xlsx and its file name; notes the export of every child in it."""
    enrolments = queries.roster_for_export(season)
    audit.record_read("roster.exported", by=by, children=[e.child for e in enrolments], site_id=season.site_id,
                      action="export", season=season.id)
    return roster_xlsx(season, enrolments), f"{season.site.name}-{season.name}-名单.xlsx"


# --- everything held about one child --------------------------------------------------------------
def child_sections(child: Child, consents, enrolments, audit_entries) -> list[tuple[str, list[str], list[list]]]:
    """Everything held about a child, as titled tables."""
    from app.children.labels import ACTION_LABELS

    record = [
        [_("Full name"), child.name], [_("Sex"), str(SEX_LABELS.get(child.sex, ""))],
        [_("Birth date"), child.birth_date.isoformat() if child.birth_date else ""],
        [_("Grade"), str(GRADE_LABELS.get(child.grade, ""))], [_("School"), child.school],
        [_("Hometown"), child.hometown], [_("May go home alone"), _yes(child.may_go_home_alone)],
        [_("Allergies"), child.allergies], [_("Health conditions"), child.conditions],
        [_("Medicines"), child.medicines], [_("High risk"), _yes(child.high_risk)], [_("Notes"), child.notes],
        [_("Site"), child.site.name], [_("Registered"), _when(child.created_at)],
    ]
    described = audit.describe_all(audit_entries)
    return [
        (_("Child"), [_("Field"), _("Value")], record),
        (_("Guardians"), [_("Full name"), _("Relation"), _("Phone"), _("Employer")],
         [[g.name, g.relation, g.phone, g.employer] for g in child.guardians]),
        (_("Pickup persons"), [_("Full name"), _("Relation"), _("Phone")],
         [[p.name, p.relation, p.phone] for p in child.pickups]),
        (_("Consent"), [_("Notice version"), _("Guardian"), _("Relation"), _("Consented at"), _("Recorded by")],
         [[c.notice.version, c.guardian_name, c.guardian_relation, _when(c.consented_at),
           c.recorded_by.display_name if c.recorded_by else ""] for c in consents]),
        (_("Enrolments"), [_("Season"), _("Status"), _("Applied"), _("Decided"), _("Withdrawn")],
         [[e.season.name, str(STATUS_LABELS[e.status]), _when(e.applied_at), _when(e.decided_at),
           _when(e.withdrawn_at)] for e in enrolments]),
        (_("Who accessed the record"), [_("When"), _("Who"), _("Action"), _("Details")],
         [[_when(a.at), a.user.display_name if a.user else "", str(ACTION_LABELS.get(a.action, a.action)),
           described.get(a.id, a.summary)] for a in audit_entries]),
    ]


def child_xlsx(sections) -> bytes:
    return workbook(sections)


def child_json(sections) -> bytes:
    data = {title: [dict(zip(headers, row)) for row in rows] for title, headers, rows in sections}
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def child_file(child_id: int, fmt: str, *, by) -> tuple[bytes, str, str]:
    """Everything held about a child as .xlsx or .json: (data, mimetype, file name); notes the export."""
    child = queries.child_record(child_id)
    audit.record_read("child.exported", by=by, children=[child], action="export", format=fmt)
    sections = child_sections(child, child.consents, child.enrolments, queries.audit_of_child(child.id))
    stamp = utcnow().strftime("%Y%m%d")
    if fmt == "json":
        return child_json(sections), "application/json", f"child-{child.id}-{stamp}.json"
    return child_xlsx(sections), XLSX, f"child-{child.id}-{stamp}.xlsx"
