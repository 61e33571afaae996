"""The printable weekly menu (A4, for parents and the wall): dishes per day and the nutrition
summary per age group, always in Chinese, through ``app/core/pdf.py``."""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from app.core.pdf import pdf_response, render_pdf
from app.health import labels


def week_menu_html(season, data: dict) -> str:
    with force_locale("zh_CN"):
        return render_template("health/menu_pdf.html", site=season.site, level_labels=labels.LEVEL_LABELS,
                               meal_labels=labels.MEAL_LABELS, age_group_labels=labels.AGE_GROUP_LABELS, **data)


_CSS = """
@page { size: A4 landscape; margin: 14mm; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
.menu-table { width: 100%; border-collapse: collapse; font-size: 10pt; }
.menu-table th, .menu-table td { border: 0.5pt solid #333; padding: 4pt; vertical-align: top; text-align: left; }
.small { font-size: 8.5pt; color: #555; }
"""


def week_menu_pdf(season, data: dict):
    pdf = render_pdf(week_menu_html(season, data), css=_CSS)
    return pdf_response(pdf, f"{season.site.name}-一周食谱-{data['monday'].isoformat()}.pdf")
