"""The one spreadsheet writer for every export.

Cells are written as values, never as formulas: any text that Excel, WPS or LibreOffice would read
as a formula or a command (starting with ``= + - @``, a tab or a carriage return) is stored as a
text cell marked "quote prefix" (what Excel does for text typed after an apostrophe), and characters a workbook cannot hold (control characters)
are dropped, so a child named ``=1+HYPERLINK(...)`` or an allergy with a pasted ``\\x0b`` exports
as typed. Columns are sized to their content and the header row is frozen and repeated on print.
"""
from __future__ import annotations

import io
from typing import Iterable, Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value):
    """What a cell holds: numbers and dates as they are, text cleaned and never a formula."""
    if value is None or isinstance(value, (bool, int, float)) or hasattr(value, "isoformat"):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _as_text(cell) -> None:
    """Keep a cell whose text looks like a formula as plain text."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def _width(value) -> int:
    text = "" if value is None else str(value)
    longest = max((len(line) for line in text.split("\n")), default=0)
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)  # CJK characters take two columns
    return longest + min(wide, longest)


def workbook(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]], *, title: str = "",
             landscape: bool = True) -> bytes:
    """An .xlsx of ``(sheet title, headers, rows)``; returns its bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    for sheet_title, headers, rows in sheets:
        sheet = book.create_sheet(str(cell_value(sheet_title) or "Sheet").translate(str.maketrans("", "", "[]:*?/\\"))[:31] or "Sheet")
        sheet.append([cell_value(str(h)) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            _as_text(cell)
        widths = [_width(h) for h in headers]
        for row in rows:
            values = [cell_value(v) for v in row]
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                _as_text(cell)
            for index, value in enumerate(values):
                if index < len(widths):
                    widths[index] = max(widths[index], _width(value))
                else:
                    widths.append(_width(value))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(max(8, width + 2), 60)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        if title:
            sheet.oddHeader.center.text = cell_value(title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
