"""Files written to hurt the server: each is refused with a clear message, quickly and with bounded
memory, and nothing is saved (the upload limit of the whole app included)."""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
import zlib

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.children import importer
from app.children.importer import HEADERS, FileProblem
from app.children.models import Child, ImportBatch

GOOD = ["张小雨", "女", "2016-09-01", "三年级", "旧馆小学", "安徽阜阳", "张建国", "父亲", "13800001234",
        "织里纺织有限公司", "花生", "", "", "否", "否"]
MIB = 1024 * 1024


def _template_members() -> dict[str, bytes]:
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(GOOD)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _xlsx_with(sheet_xml: bytes | None = None, shared_strings: bytes | None = None, extra=None) -> bytes:
    """A real workbook whose first sheet (and shared strings) are replaced by hostile XML."""
    members = _template_members()
    if sheet_xml is not None:
        members["xl/worksheets/sheet1.xml"] = sheet_xml
    if shared_strings is not None:
        members["xl/sharedStrings.xml"] = shared_strings
        types = members["[Content_Types].xml"].decode()
        if "sharedStrings" not in types:
            types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                  'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            members["[Content_Types].xml"] = types.encode()
            rels = members["xl/_rels/workbook.xml.rels"].decode().replace(
                "</Relationships>", '<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            members["xl/_rels/workbook.xml.rels"] = rels.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _wide_and_far() -> bytes:
    """16,384 declared columns and one cell at the last row Excel allows."""
    return _xlsx_with(SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
                      b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
                      b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
                      b'</sheetData></worksheet>')


def _one_long_string_everywhere() -> bytes:
    """A 20 KB shared string referenced by every cell of 60 columns × 300 rows (360 million characters)."""
    strings = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>' + "长".encode() * 7000 + b'</t></si></sst>')
    row = b"".join(b'<c t="s"><v>0</v></c>' for _ in range(60))
    body = b"".join(b'<row r="%d">' % r + row + b"</row>" for r in range(1, 301))
    return _xlsx_with(SHEET_HEAD + b"<sheetData>" + body + b"</sheetData></worksheet>", strings)


def _zip_bomb() -> bytes:
    """A shared-strings member that unpacks to 200 MB from a few hundred KB."""
    out = io.BytesIO()
    members = _template_members()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            chunk = b"A" * MIB
            for _ in range(200):
                member.write(chunk)
    return out.getvalue()


def _endless_rows(dimension: bytes = b"") -> bytes:
    """300,000 small rows (the attack had 75 million in 4.7 MB)."""
    body = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(1, 300_001))
    return _xlsx_with(SHEET_HEAD + dimension + b"<sheetData>" + body + b"</sheetData></worksheet>")


def _endless_rows_with_size() -> bytes:
    return _endless_rows(b'<dimension ref="A1:A300000"/>')


HOSTILE = {
    "wide-and-far.xlsx": (_wide_and_far, "more than 5,000 rows"),
    "long-string.xlsx": (_one_long_string_everywhere, "far more text"),
    "bomb.xlsx": (_zip_bomb, "unpacks to far more data"),
    "endless.xlsx": (_endless_rows, "does not say its size"),
    "endless-sized.xlsx": (_endless_rows_with_size, "more than 5,000 rows"),
}


@pytest.mark.parametrize("filename", sorted(HOSTILE))
def test_hostile_workbooks_are_refused_fast_with_bounded_memory(app, filename):
    build, message = HOSTILE[filename]
    data = build()
    assert len(data) < importer.MAX_BYTES  # each fits under the upload limit, as in the attack
    with app.test_request_context(headers={"Accept-Language": "en"}):
        tracemalloc.start()
        started = time.process_time()
        with pytest.raises(FileProblem) as refused:
            importer.parse_rows(importer.read_table(filename, data), (set(), set()))
        cpu = time.process_time() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert message in str(refused.value)
    assert peak < 150 * MIB, f"{filename}: {peak / MIB:.0f} MiB"
    assert cpu < 5, f"{filename}: {cpu:.1f} s of CPU"  # the attack took 364 s; a guard, not a speed target


def test_a_huge_number_in_a_csv_is_a_row_problem_not_a_crash(coordinator, db, world):
    row = ["张小雨", "女", "2016-09-01", "9" * 5000, "", "", "张建国", "父亲", "13800001234", "", "", "", "", "否", "否"]
    data = ("\r\n".join([",".join(HEADERS), ",".join(row)]) + "\r\n").encode("utf-8")
    response = coordinator.post(f"/sites/{world.site.id}/children/import",
                                data={"file": (io.BytesIO(data), "big-number.csv")},
                                content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Unknown grade" in html
    assert "9" * 41 not in html  # the value is shortened in the message and the preview
    assert db.session.scalar(select(func.count()).select_from(Child)) == 0


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(client, db):
    response = client.post("/auth/login", data=b"x" * (7 * MIB), content_type="application/x-www-form-urlencoded",
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 413
    assert "太大" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_workbooks_are_parsed_with_a_hardened_xml_parser(app):
    """openpyxl uses defusedxml when it is installed (it is pinned): entity tricks in a workbook are
    refused by the parser itself, whatever the XML library's defaults."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    laughs = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>')
    with app.test_request_context():
        with pytest.raises(FileProblem):
            importer.read_table("entities.xlsx", _xlsx_with(shared_strings=laughs))
