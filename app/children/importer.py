"""Reading a roster file (.xlsx or .csv) into rows with their problems, before anything is saved.

- .xlsx through openpyxl (read-only, formulas kept as text so they can be refused);
- .csv in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GBK/GB18030 (what Excel on
  a Chinese Windows saves), comma, semicolon or tab separated;
- at most ``MAX_ROWS`` rows and ``MAX_BYTES`` bytes: a bigger file is refused as a whole.

Rosters are read as people write them: the header row is looked for in the first rows (a title row
may sit above it), headers and values (grades, dates, sexes, relations, yes/no) are matched against
the one table of spellings in ``app.children.spellings``, and every column that is not imported is
named in the preview with the reason. A 纸质同意书签署日期 column records a paper consent form.

Files are read as an attacker would write them: an .xlsx is a zip, so its members' unpacked size and
compression ratio are checked before anything is parsed (zip bombs), only ``MAX_COLUMNS`` columns are
read whatever width the sheet declares, reading stops at the row limit (empty rows count, so a cell
declared at row 1,048,576 costs nothing), and the text held in memory has a budget — every hostile
file is refused in well under a second with bounded memory, never a 500.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from app.children import spellings
from app.core.forms import normalise_phone, phone_problem
from app.core.timeutil import local_today

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 60                      # a roster has ~15 columns; anything beyond is never read
MAX_SCANNED_ROWS = MAX_ROWS + 2000    # rows looked at, empty ones included
MAX_TEXT = 4_000_000                  # characters held from one file
MAX_UNPACKED = 64 * 1024 * 1024       # the unpacked size of all members of an .xlsx
MAX_RATIO = 150                       # unpacked / packed size of one member (XML packs ~5-30x)
MAX_MEMBERS = 300
MAX_UNDIMENSIONED = 2 * 1024 * 1024  # a sheet this big must say its size (<dimension>) at its top

# (key, header in the template, required, other spellings): the spellings live in app.children.spellings
COLUMNS = [(key, header, required, aliases) for key, (header, required, aliases) in spellings.COLUMNS.items()]
LABELS = {key: header for key, header, _required, _aliases in COLUMNS}
# the template's headers: required ones carry an asterisk (files are read with or without it)
HEADERS = [header + ("*" if required else "") for _key, header, required, _aliases in COLUMNS]
LIMITS = {"name": 60, "school": 120, "hometown": 120, "guardian_name": 60, "guardian_relation": 20,
          "guardian_employer": 120, "allergies": 1000, "conditions": 1000, "medicines": 1000, "notes": 2000}
HEADER_ROWS = 5  # the header row is looked for in the first rows (a title row may sit above it)



class FileProblem(Exception):
    """The file as a whole cannot be imported (nothing is saved)."""


def _norm_header(value) -> str:
    text = str(value or "").strip().lower()
    text = re.sub(r"[\s*＊:：]|（必填）|\(必填\)|（选填）|\(选填\)", "", text)
    return text


HEADER_KEYS = {}
for _key, _header, _req, _aliases in COLUMNS:
    for _name in (_header, *_aliases):
        HEADER_KEYS[_norm_header(_name)] = _key
    HEADER_KEYS[_norm_header(_header.split("（")[0])] = _key
IGNORED_HEADERS = {_norm_header(name): reason for names, reason in spellings.IGNORED.values() for name in names}


# --- reading files --------------------------------------------------------------------------------
def read_table(filename: str, data: bytes) -> list[list]:
    """The file's rows as lists of cell values (first sheet for Excel)."""
    if not data:
        raise FileProblem(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileProblem(_("The file is larger than %(mb)d MB. Split it into smaller files.",
                            mb=MAX_BYTES // (1024 * 1024)))
    lower = filename.lower()
    if data[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        raise FileProblem(_("This is an old Excel (.xls) file. In Excel choose “Save as” → “Excel workbook "
                            "(.xlsx)” or “CSV”, then upload that file."))
    if lower.endswith((".csv", ".txt")) or not lower.rpartition(".")[1]:
        return _read_csv(data)
    raise FileProblem(_("Upload an Excel (.xlsx) or CSV file."))


def _unreadable() -> FileProblem:
    return FileProblem(_("The file could not be read as an Excel workbook. Save it again as .xlsx "
                         "(or CSV) and upload it."))


def _check_archive(data: bytes) -> None:
    """Refuse a workbook whose zip would unpack to far more than a roster (before parsing it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            # Without a <dimension> near its top, openpyxl scans a whole sheet before reading it:
            # a big sheet that lacks one is refused rather than scanned.
            undimensioned = [m for m in members if m.filename.startswith("xl/worksheets/")
                             and m.file_size > MAX_UNDIMENSIONED and b"dimension" not in
                             archive.open(m).read(16384)]
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, EOFError, zlib.error) as error:
        raise _unreadable() from error
    if undimensioned:
        raise FileProblem(_("The sheet is very large and does not say its size. Open the file in Excel or WPS, "
                            "save it again and upload it."))
    if len(members) > MAX_MEMBERS:
        raise _unreadable()
    unpacked = sum(m.file_size for m in members)
    bomb = any(m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members)
    if unpacked > MAX_UNPACKED or bomb:
        raise FileProblem(_("This workbook unpacks to far more data than a roster holds (%(mb)d MB). Copy the "
                            "rows into the template and upload that file.", mb=max(unpacked // (1024 * 1024), 1)))


class _Budget:
    """Counts the characters read from a file; refuses the file beyond MAX_TEXT."""

    def __init__(self) -> None:
        self.used = 0

    def take(self, row: list) -> list:
        for value in row:
            if isinstance(value, str):
                self.used += len(value)
        if self.used > MAX_TEXT:
            raise FileProblem(_("The file holds far more text than a roster of %(max)s children. Copy the rows "
                                "into the template and upload that file.", max=f"{MAX_ROWS:,}"))
        return row


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook
    from openpyxl.worksheet.formula import ArrayFormula

    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds of errors for damaged files
        raise _unreadable() from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileProblem(_("The file is empty."))
        rows, scanned, budget = [], 0, _Budget()
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_SCANNED_ROWS + 1):
            scanned += 1
            if scanned > MAX_SCANNED_ROWS:
                raise FileProblem(_too_many(None))
            if not any(v not in (None, "") for v in values):
                continue
            if len(rows) > MAX_ROWS:  # the header and MAX_ROWS rows are kept; one more is too many
                raise FileProblem(_too_many(None))
            rows.append(budget.take([("=" + v.text.lstrip("=")) if isinstance(v, ArrayFormula) else v
                                     for v in values]))
        return rows
    except FileProblem:
        raise
    except Exception as error:
        raise _unreadable() from error
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise FileProblem(_("The file is not a text (CSV) file. Upload an Excel (.xlsx) or CSV file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("The file's characters could not be read. Save it as “CSV UTF-8” or as .xlsx."))


def _read_csv(data: bytes) -> list[list]:
    text = _decode(data)
    # the separator: the one used most in the first lines (the header may sit under a title row)
    lines = text[:8192].splitlines()[:HEADER_ROWS + 1]
    delimiter = max(",\t;，", key=lambda sep: (max((line.count(sep) for line in lines), default=0), sep == ","))
    rows, scanned, budget = [], 0, _Budget()
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            scanned += 1
            if scanned > MAX_SCANNED_ROWS:
                raise FileProblem(_too_many(None))
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) > MAX_ROWS:
                raise FileProblem(_too_many(None))
            rows.append(budget.take(row[:MAX_COLUMNS]))
    except csv.Error as error:
        raise FileProblem(_("The CSV file is malformed (%(error)s).", error=_show(str(error)))) from error
    return rows


def _too_many(count: int | None) -> str:
    if count is None:
        return _("The file has more than %(max)s rows; at most %(max)s can be imported at once. Nothing was "
                 "saved. Split it into smaller files.", max=f"{MAX_ROWS:,}")
    return _("The file has %(count)s rows; at most %(max)s can be imported at once. Nothing was saved. "
             "Split it into smaller files.", count=f"{count:,}", max=f"{MAX_ROWS:,}")


def _show(value, limit: int = 40) -> str:
    """A value quoted in a message: shortened, so a hostile cell cannot flood the preview."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- rows -----------------------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _norm_value(value) -> str:
    return "".join(_text(value).split()).lower()


SEX_VALUES = {_norm_value(v): sex for sex, spellings_ in spellings.SEXES.items() for v in spellings_}
RELATION_VALUES = {_norm_value(v): group[0] for group in spellings.RELATIONS for v in group}
YES = {_norm_value(v) for v in spellings.YES}
NO = {_norm_value(v) for v in spellings.NO}
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's (1900 system) day 0, past its 1900 leap-year bug


class _NoDay(ValueError):
    """A date written with its year and month only."""


def _parse_date(value) -> date | None:
    """2016-09-01, 2016/9/1, 2016.9.1, 2016年9月1日, 20160901, an Excel date number or a datetime.
    Raises _NoDay for a year and month only (2016.9, 2016年9月): the day cannot be guessed."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() \
            and 10000 <= value <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = re.sub(r"[ T]0{1,2}:0{2}(:0{2})?$", "", _text(value)).replace(" ", "")
    if re.fullmatch(r"\d{5}", text) and 10000 <= int(text) <= 80000:  # an Excel date number in a CSV
        return EXCEL_EPOCH + timedelta(days=int(text))
    text = (text.replace("年", "-").replace("月", "-").replace("日", "").replace("号", "")
            .replace("/", "-").replace(".", "-").replace("－", "-").rstrip("-"))
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if re.fullmatch(r"\d{4}-\d{1,2}", text) or re.fullmatch(r"\d{6}", text):
        raise _NoDay(text)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _number(text: str) -> int | None:
    if text.isdigit() and len(text) <= 2:
        return int(text)
    return spellings.CN_DIGITS.get(text)


def parse_grade(value) -> int | None:
    """1–9 from 3, 三, 三年级, 小学三年级, 小三, G3, 初一 / 初1 / 初中一年级 / 七年级 / 7年级 (7) …"""
    text = _norm_value(value).upper()
    if re.fullmatch(r"G\d", text):
        text = text[1:]
    offset, limit = 0, 9
    for prefix in spellings.JUNIOR_PREFIXES:
        if text.startswith(prefix):
            text, offset, limit = text[len(prefix):], 6, 3
            break
    else:
        for prefix in spellings.PRIMARY_PREFIXES:
            if text.startswith(prefix):
                text, limit = text[len(prefix):], 6
                break
    for suffix in spellings.GRADE_SUFFIXES:
        text = text.removesuffix(suffix)
    number = _number(text)
    if number is None:
        return None
    if offset and 7 <= number <= 9:  # 初中七年级
        return number
    return number + offset if 1 <= number <= limit else None


def _parse_sex(value) -> str | None:
    return SEX_VALUES.get(_norm_value(value))


def _parse_relation(value) -> str:
    text = _text(value)
    return RELATION_VALUES.get(_norm_value(text), text)


def _phone(value) -> tuple[str | None, str | None]:
    """The same rule as every phone field (app.core.forms): an 11-digit mobile or a landline with
    its area code, full-width digits and separators allowed. Returns (digits, None) or (None, why)."""
    digits = normalise_phone(_text(value)[:40])
    problem = phone_problem(digits)
    return (None, problem) if problem else (digits, None)


def _parse_yes_no(value) -> bool | None:
    text = _norm_value(value)
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def _header_row(table: list[list]) -> int:
    """The index of the row of column names: the one of the first rows naming most known columns
    (a title such as "旧馆街道2025年暑期班报名表" may sit above it)."""
    best, best_score = 0, 0
    for index, row in enumerate(table[:HEADER_ROWS]):
        score = len({HEADER_KEYS.get(_norm_header(cell)) for cell in row or []} - {None})
        if score > best_score:
            best, best_score = index, score
    return best


def _columns(header: list, body: list[list]) -> tuple[dict, list, list]:
    """Which column holds what: ({key: index}, [[file header, template header]], [[file header, why
    it is not imported]]). Every column with values is either read or named as not imported."""
    positions, used, ignored = {}, [], []
    for index, cell in enumerate(header or []):
        shown = _show(_text(cell), 30)
        if not shown:
            continue
        key = HEADER_KEYS.get(_norm_header(cell))
        if key and key not in positions:
            positions[key] = index
            used.append([shown, LABELS[key]])
        elif key:
            ignored.append([shown, _("the column “%(column)s” is read instead",
                                     column=_text(header[positions[key]]))])
        elif _norm_header(cell) in IGNORED_HEADERS:
            ignored.append([shown, str(IGNORED_HEADERS[_norm_header(cell)])])
        else:
            ignored.append([shown, _("unknown column")])
    named = {i for i, cell in enumerate(header or []) if _text(cell)}
    unnamed = sorted({i for cells in body for i, v in enumerate(cells or []) if _text(v)} - named)
    for index in unnamed:
        ignored.append([_("column %(letter)s", letter=_letter(index)), _("it has no column name")])
    return positions, used, ignored


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_rows(table: list[list], duplicates: tuple[dict, dict]) -> dict:
    """Check every row. Returns the preview payload: {"rows": [...], "total", "valid", "columns",
    "ignored"}. A row that looks like a child already registered (or like an earlier row) carries
    ``duplicate`` ({"message", "child_id", "of_row"}) instead of an error: the coordinator decides."""
    if not table:
        raise FileProblem(_("The file is empty."))
    start = _header_row(table)
    header, body = table[start], table[start + 1:]
    if len(body) > MAX_ROWS:
        raise FileProblem(_too_many(len(body)))
    positions, used, ignored = _columns(header, body)
    missing = [c[1] for c in COLUMNS if c[2] and c[0] not in positions]
    if missing:
        raise FileProblem(_("The column names of the template were not found in the first rows. Missing: "
                            "%(columns)s. Download the template and copy the rows into it.",
                            columns="、".join(missing)))
    if not body:
        raise FileProblem(_("The file has column names but no rows of children."))

    by_birth, by_phone = duplicates
    seen_birth, seen_phone = {}, {}
    today = local_today()
    rows, valid = [], 0
    for number, cells in enumerate(body, start=start + 2):
        cells = list(cells or [])
        raw = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        errors = []
        for key, value in raw.items():
            if isinstance(value, str) and value.lstrip().startswith("="):
                errors.append(_("“%(column)s” holds a formula; formulas are not allowed. Paste the values only.",
                                column=LABELS[key]))
                raw[key] = None
        values = {key: _text(raw.get(key)) for key, *_rest in COLUMNS}
        if not values["name"]:
            errors.append(_("The name is missing."))
        sex = _parse_sex(raw.get("sex"))
        if sex is None:
            errors.append(_("Sex must be 男 or 女 (found “%(value)s”).", value=_show(values["sex"])))
        birth = _date_of(raw.get("birth_date"), values["birth_date"], errors)
        if birth is not None and not (3 <= (today - birth).days / 365.25 <= 18):
            errors.append(_("The birth date %(value)s does not fit a child of school age.", value=birth.isoformat()))
        grade = parse_grade(raw.get("grade"))
        if grade is None:
            errors.append(_("Unknown grade “%(value)s”: use 1–9, 一年级 … 九年级, 小一 … 小六 or 初一 … 初三.",
                            value=_show(values["grade"])))
        if not values["guardian_name"]:
            errors.append(_("The guardian's name is missing."))
        phone, why = _phone(raw.get("guardian_phone"))
        if not values["guardian_phone"]:
            errors.append(_("The guardian's phone is missing."))
        elif phone is None:
            errors.append(_("The guardian's phone “%(value)s” is not a phone number: %(reason)s",
                            value=_show(values["guardian_phone"]), reason=why))
        signed = None
        if values["paper_consent"]:
            signed = _date_of(raw.get("paper_consent"), values["paper_consent"], errors, consent=True)
            if signed is not None and not (date(2000, 1, 1) <= signed <= today):
                errors.append(_("The paper consent form cannot be signed on %(value)s (in the future or long "
                                "ago).", value=signed.isoformat()))
        flags = {}
        for key in ("high_risk", "may_go_home_alone"):
            flags[key] = _parse_yes_no(raw.get(key))
            if flags[key] is None:
                errors.append(_("“%(column)s” must be 是 or 否 (found “%(value)s”).",
                                column=LABELS[key], value=_show(values[key])))
        for key, limit in LIMITS.items():
            if len(values[key]) > limit:
                errors.append(_("“%(column)s” is longer than %(max)d characters.", column=LABELS[key], max=limit))
        name = " ".join(values["name"].split())
        duplicate = None
        if name and birth:
            if (name, birth) in by_birth:
                duplicate = {"message": _("Likely duplicate: a child with this name and birth date is already "
                                          "registered."), "child_id": by_birth[(name, birth)]}
            elif (name, birth) in seen_birth:
                duplicate = {"message": _("Likely duplicate of row %(row)d (same name and birth date).",
                                          row=seen_birth[(name, birth)]), "of_row": seen_birth[(name, birth)]}
            seen_birth.setdefault((name, birth), number)
        if name and phone and duplicate is None:
            if (name, phone) in by_phone:
                duplicate = {"message": _("Likely duplicate: a child with this name and guardian phone is already "
                                          "registered."), "child_id": by_phone[(name, phone)]}
            elif (name, phone) in seen_phone:
                duplicate = {"message": _("Likely duplicate of row %(row)d (same name and guardian phone).",
                                          row=seen_phone[(name, phone)]), "of_row": seen_phone[(name, phone)]}
        if name and phone:
            seen_phone.setdefault((name, phone), number)
        clean = dict(values, name=name, sex=sex, grade=grade, guardian_phone=phone or values["guardian_phone"],
                     guardian_relation=_parse_relation(values["guardian_relation"]),
                     birth_date=birth.isoformat() if birth else values["birth_date"],
                     paper_consent=signed.isoformat() if signed else values["paper_consent"],
                     high_risk=bool(flags["high_risk"]), may_go_home_alone=bool(flags["may_go_home_alone"]))
        if not errors and not duplicate:
            valid += 1
        row = {"row": number, "values": clean, "errors": errors}
        if duplicate:
            row["duplicate"] = duplicate
        rows.append(row)
    return {"rows": rows, "total": len(rows), "valid": valid, "columns": used, "ignored": ignored}


def _date_of(value, shown: str, errors: list, consent: bool = False) -> date | None:
    try:
        day = _parse_date(value)
    except _NoDay:
        errors.append(_("“%(value)s” has no day: write the whole date, e.g. 2016-09-01.", value=_show(shown)))
        return None
    if day is None:
        if consent:
            errors.append(_("Bad paper consent date “%(value)s”: write it as 2025-06-01.", value=_show(shown)))
        else:
            errors.append(_("Bad date “%(value)s”: write it as 2016-09-01.", value=_show(shown)))
    return day


def template_workbook() -> bytes:
    """The import template: Chinese headers, one example row, and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "儿童名单"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["张小雨", "女", "2016-09-01", "三年级", "旧馆小学", "安徽阜阳", "张建国", "父亲",
                  "13800001234", "织里纺织有限公司", "花生", "", "", "否", "否", "", "2025-06-01"])
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, len(header) * 2 + 2)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("填写说明")
    for line in [
        "每行一个孩子；列名所在行请勿修改（上方可以有标题行）。示例行（张小雨）请删除后再上传。",
        "带*的为必填：姓名、性别、出生日期、年级、监护人姓名、监护人电话。",
        "性别：男 / 女。出生日期：2016-09-01、2016/9/1、2016.9.1 或 2016年9月1日。",
        "年级：1–9、一年级 … 九年级、小一 … 小六、初一 … 初三（初一即七年级）。",
        "监护人电话：11 位手机号，或带区号的座机（如 0572-1234567）。",
        "高风险、可独自回家：是 / 否（可独自回家须有监护人书面同意）。备注会保存在孩子的备注里。",
        "纸质同意书签署日期：监护人已在纸质同意书上签字的，填签署日期；导入后即可录取。未签的请留空。",
        "身份证号等其他列不会导入。请只填写数值，不要使用公式。一次最多导入 5,000 行。",
    ]:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
