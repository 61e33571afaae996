"""Reading a roster file (.xlsx or .csv) into rows with their problems, before anything is saved.

- .xlsx through openpyxl (read-only, formulas kept as text so they can be refused);
- .csv in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GBK/GB18030 (what Excel on
  a Chinese Windows saves), comma, semicolon or tab separated;
- at most ``MAX_ROWS`` rows and ``MAX_BYTES`` bytes: a bigger file is refused as a whole.

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
from datetime import date, datetime

from flask_babel import gettext as _

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

# key, header in the template, required, other accepted spellings
COLUMNS = [
    ("name", "姓名", True, ("儿童姓名", "孩子姓名", "name")),
    ("sex", "性别", True, ("sex", "gender")),
    ("birth_date", "出生日期", True, ("出生年月日", "生日", "birth date", "date of birth")),
    ("grade", "年级", True, ("新学年年级", "grade")),
    ("school", "学校", False, ("就读学校", "school")),
    ("hometown", "籍贯", False, ("老家", "户籍地", "hometown")),
    ("guardian_name", "监护人姓名", True, ("家长姓名", "监护人", "guardian", "guardian name")),
    ("guardian_relation", "与孩子关系", False, ("关系", "监护人关系", "relation")),
    ("guardian_phone", "监护人电话", True, ("家长电话", "联系电话", "电话", "手机", "guardian phone", "phone")),
    ("guardian_employer", "监护人工作单位", False, ("工作单位", "单位", "employer")),
    ("allergies", "过敏", False, ("过敏情况", "过敏史", "allergies")),
    ("conditions", "疾病/健康状况", False, ("健康状况", "疾病", "conditions")),
    ("medicines", "用药", False, ("用药情况", "medicines")),
    ("high_risk", "高风险（是/否）", False, ("高风险", "需重点关注", "high risk")),
    ("may_go_home_alone", "可独自回家（是/否）", False, ("可独自回家", "独自回家", "may go home alone")),
]
HEADERS = [c[1] for c in COLUMNS]
LIMITS = {"name": 60, "school": 120, "hometown": 120, "guardian_name": 60, "guardian_relation": 20,
          "guardian_employer": 120, "allergies": 1000, "conditions": 1000, "medicines": 1000}
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
JUNIOR = {"初一": 7, "初二": 8, "初三": 9}
YES = {"是", "y", "yes", "1", "true", "√", "✓", "有"}
NO = {"否", "n", "no", "0", "false", "", "无", "×"}


class FileProblem(Exception):
    """The file as a whole cannot be imported (nothing is saved)."""


def _norm_header(value) -> str:
    text = str(value or "").strip().lower()
    text = re.sub(r"[\s*＊]|（必填）|\(必填\)", "", text)
    return text


HEADER_KEYS = {}
for _key, _header, _req, _aliases in COLUMNS:
    for _name in (_header, *_aliases):
        HEADER_KEYS[_norm_header(_name)] = _key
    HEADER_KEYS[_norm_header(_header.split("（")[0])] = _key


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
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
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


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    text = text.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0{1,2}:0{2}(?::0{2})?)?", text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_grade(value) -> int | None:
    text = _text(value).replace(" ", "")
    text = text.removeprefix("小学").removeprefix("初中")
    if text in JUNIOR:
        return JUNIOR[text]
    text = text.removesuffix("年级").removesuffix("年")
    if text.isdigit() and len(text) <= 2:
        number = int(text)
    elif text in CN_DIGITS:
        number = CN_DIGITS[text]
    else:
        return None
    return number if 1 <= number <= 9 else None


def _parse_sex(value) -> str | None:
    text = _text(value).lower()
    return {"男": "m", "男孩": "m", "m": "m", "male": "m", "女": "f", "女孩": "f", "f": "f", "female": "f"}.get(text)


def _parse_phone(value) -> str | None:
    """The same rule as every phone field (app.core.forms): an 11-digit mobile or a landline with
    its area code, full-width digits and separators allowed."""
    digits = normalise_phone(_text(value)[:40])
    return digits if phone_problem(digits) is None else None


def _parse_yes_no(value) -> bool | None:
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def parse_rows(table: list[list], duplicates: tuple[set, set]) -> dict:
    """Check every row. Returns the preview payload: {"rows": [...], "total", "valid", "columns"}."""
    if not table:
        raise FileProblem(_("The file is empty."))
    header, *body = table
    if len(body) > MAX_ROWS:
        raise FileProblem(_too_many(len(body)))
    positions = {}
    for index, cell in enumerate(header or []):
        key = HEADER_KEYS.get(_norm_header(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [c[1] for c in COLUMNS if c[2] and c[0] not in positions]
    if missing:
        raise FileProblem(_("The first row must hold the column names of the template. Missing: %(columns)s. "
                            "Download the template and copy the rows into it.", columns="、".join(missing)))
    if not body:
        raise FileProblem(_("The file has column names but no rows of children."))

    by_birth, by_phone = duplicates
    seen_birth, seen_phone = {}, {}
    today = local_today()
    rows, valid = [], 0
    for number, cells in enumerate(body, start=2):
        cells = list(cells or [])
        raw = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        errors = []
        for key, value in raw.items():
            if isinstance(value, str) and value.lstrip().startswith("="):
                errors.append(_("“%(column)s” holds a formula; formulas are not allowed. Paste the values only.",
                                column=dict((c[0], c[1]) for c in COLUMNS)[key]))
                raw[key] = None
        values = {key: _text(raw.get(key)) for key, *_rest in COLUMNS}
        if not values["name"]:
            errors.append(_("The name is missing."))
        sex = _parse_sex(raw.get("sex"))
        if sex is None:
            errors.append(_("Sex must be 男 or 女 (found “%(value)s”).", value=_show(values["sex"])))
        birth = _parse_date(raw.get("birth_date"))
        if birth is None:
            errors.append(_("Bad date “%(value)s”: write it as 2016-09-01.", value=_show(values["birth_date"])))
        elif not (3 <= (today - birth).days / 365.25 <= 18):
            errors.append(_("The birth date %(value)s does not fit a child of school age.", value=birth.isoformat()))
        grade = parse_grade(raw.get("grade"))
        if grade is None:
            errors.append(_("Unknown grade “%(value)s”: use 1–9 or 一年级 … 九年级.", value=_show(values["grade"])))
        if not values["guardian_name"]:
            errors.append(_("The guardian's name is missing."))
        phone = _parse_phone(raw.get("guardian_phone"))
        if not values["guardian_phone"]:
            errors.append(_("The guardian's phone is missing."))
        elif phone is None:
            errors.append(_("The guardian's phone “%(value)s” is not a phone number.", value=_show(values["guardian_phone"])))
        flags = {}
        for key in ("high_risk", "may_go_home_alone"):
            flags[key] = _parse_yes_no(raw.get(key))
            if flags[key] is None:
                errors.append(_("“%(column)s” must be 是 or 否 (found “%(value)s”).",
                                column=dict((c[0], c[1]) for c in COLUMNS)[key], value=_show(values[key])))
        for key, limit in LIMITS.items():
            if len(values[key]) > limit:
                errors.append(_("“%(column)s” is longer than %(max)d characters.",
                                column=dict((c[0], c[1]) for c in COLUMNS)[key], max=limit))
        name = " ".join(values["name"].split())
        duplicate = None
        if name and birth:
            if (name, birth) in by_birth:
                duplicate = _("Likely duplicate: a child with this name and birth date is already registered.")
            elif (name, birth) in seen_birth:
                duplicate = _("Likely duplicate of row %(row)d (same name and birth date).",
                              row=seen_birth[(name, birth)])
            seen_birth.setdefault((name, birth), number)
        if name and phone and duplicate is None:
            if (name, phone) in by_phone:
                duplicate = _("Likely duplicate: a child with this name and guardian phone is already registered.")
            elif (name, phone) in seen_phone:
                duplicate = _("Likely duplicate of row %(row)d (same name and guardian phone).",
                              row=seen_phone[(name, phone)])
        if name and phone:
            seen_phone.setdefault((name, phone), number)
        if duplicate:
            errors.append(duplicate)
        clean = dict(values, name=name, sex=sex, grade=grade, guardian_phone=phone or values["guardian_phone"],
                     birth_date=birth.isoformat() if birth else values["birth_date"],
                     high_risk=bool(flags["high_risk"]), may_go_home_alone=bool(flags["may_go_home_alone"]))
        if not errors:
            valid += 1
        rows.append({"row": number, "values": clean, "errors": errors})
    return {"rows": rows, "total": len(rows), "valid": valid}


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
                  "13800001234", "织里纺织有限公司", "花生", "", "", "否", "否"])
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, len(header) * 2 + 2)
    help_sheet = workbook.create_sheet("填写说明")
    for line in [
        "每行一个孩子；第一行是列名，请勿修改。示例行（张小雨）请删除后再上传。",
        "带*的为必填：姓名、性别、出生日期、年级、监护人姓名、监护人电话。",
        "性别：男 / 女。出生日期：2016-09-01 或 2016/9/1。年级：1–9 或 一年级 … 九年级、初一 … 初三。",
        "高风险、可独自回家：是 / 否（可独自回家须有监护人书面同意）。",
        "请只填写数值，不要使用公式。一次最多导入 5,000 行。",
    ]:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
