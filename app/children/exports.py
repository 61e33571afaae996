"""Files: the season roster (.xlsx) and everything held about one child (.xlsx or .json)."""
from __future__ import annotations

import io
import json

from flask_babel import gettext as _

from app.children.labels import ACTION_LABELS, GRADE_LABELS, SEX_LABELS, STATUS_LABELS
from app.children.models import Child, Enrolment
from app.core.timeutil import to_local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    """Cell values never become formulas in Excel (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not value[1:2].isdigit():
        return "'" + value
    return value


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _when(value) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _workbook(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe(str(v)) if v is not None and not isinstance(v, (int, float)) else v for v in row])
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, len(str(header)) * 2 + 2)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_xlsx(season, enrolments: list[Enrolment]) -> bytes:
    headers = [_("No."), _("Full name"), _("Sex"), _("Birth date"), _("Grade"), _("School"), _("Hometown"),
               _("Status"), _("Applied"), _("Guardians"), _("Pickup persons"), _("May go home alone"),
               _("Allergies"), _("High risk")]
    rows = []
    for number, e in enumerate(enrolments, start=1):
        c = e.child
        rows.append([number, c.name, str(SEX_LABELS.get(c.sex, "")), c.birth_date.isoformat() if c.birth_date else "",
                     str(GRADE_LABELS.get(c.grade, "")), c.school, c.hometown, str(STATUS_LABELS[e.status]),
                     _when(e.applied_at),
                     "；".join(f"{g.name}（{g.relation}）{g.phone}" for g in c.guardians),
                     "；".join(f"{p.name}（{p.relation}）{p.phone}" for p in c.pickups),
                     _yes(c.may_go_home_alone), c.allergies, _yes(c.high_risk)])
    return _workbook([(season.name, headers, rows)])


def child_sections(child: Child, consents, enrolments, audit_entries) -> list[tuple[str, list[str], list[list]]]:
    """Everything held about a child, as titled tables."""
    record = [
        [_("Full name"), child.name], [_("Sex"), str(SEX_LABELS.get(child.sex, ""))],
        [_("Birth date"), child.birth_date.isoformat() if child.birth_date else ""],
        [_("Grade"), str(GRADE_LABELS.get(child.grade, ""))], [_("School"), child.school],
        [_("Hometown"), child.hometown], [_("May go home alone"), _yes(child.may_go_home_alone)],
        [_("Allergies"), child.allergies], [_("Health conditions"), child.conditions],
        [_("Medicines"), child.medicines], [_("High risk"), _yes(child.high_risk)], [_("Notes"), child.notes],
        [_("Site"), child.site.name], [_("Registered"), _when(child.created_at)],
    ]
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
           a.summary] for a in audit_entries]),
    ]


def child_xlsx(sections) -> bytes:
    return _workbook(sections)


def child_json(sections) -> bytes:
    data = {title: [dict(zip(headers, row)) for row in rows] for title, headers, rows in sections}
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
