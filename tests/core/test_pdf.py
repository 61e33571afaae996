"""app/core/pdf.py: Chinese text survives, fonts are the subset (with a real
fallback), and the URL fetcher serves app static files only.

No Flask app is needed.  The subset font must have been built first
(`python tools/make_font_subset.py`, run by `make`); if it is missing these
tests fail -- they never skip.
"""
from __future__ import annotations

import logging
import re
from io import BytesIO

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app.core import pdf as pdfmod
from app.core.pdf import (
    APP_BASE_URL,
    STATIC_DIR,
    SUBSET_FONT_FILES,
    PDFResourceRefused,
    StaticOnlyURLFetcher,
    content_disposition,
    pdf_response,
    render_pdf,
)

RARE_NAME_CHARS = "喆玥堃"          # not in GB2312; the subset adds them
SENTENCE = "旧馆街道志愿服务证明"
OUTSIDE_SUBSET = "龘"                 # not in the subset: must come from the fallback

BUILD_HINT = "subset font missing: run `python tools/make_font_subset.py` (or `make`)"


def _require_subset():
    missing = [str(p) for p in SUBSET_FONT_FILES if not p.is_file()]
    assert not missing, f"{BUILD_HINT}: {missing}"


def _html(*paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f'<!doctype html><html lang="zh-CN"><body>{body}</body></html>'


def _bfchars(to_unicode: bytes) -> dict[int, str]:
    """CID -> text from a ToUnicode CMap (bfchar and bfrange entries)."""
    text = to_unicode.decode("latin-1")
    result = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for cid, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            result[int(cid, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, start in re.findall(
                r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = ord(bytes.fromhex(start).decode("utf-16-be"))
            for offset, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                result[cid] = chr(first + offset)
    return result


def _embedded_fonts(pdf_bytes: bytes) -> list[dict]:
    """For each font on each page: BaseFont, the embedded program's cmap, ToUnicode."""
    fonts = []
    for page in PdfReader(BytesIO(pdf_bytes)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = next(descriptor[key].get_object().get_data()
                           for key in ("/FontFile3", "/FontFile2", "/FontFile")
                           if key in descriptor)
            ttfont = TTFont(BytesIO(program))
            fonts.append({
                "name": str(font["/BaseFont"]),
                "ttfont": ttfont,
                "cmap": ttfont.getBestCmap() or {},
                "to_unicode": _bfchars(font["/ToUnicode"].get_object().get_data()),
            })
    return fonts


def _drawn_with_real_glyph(char: str, fonts: list[dict]) -> list[str]:
    """Names of the fonts that draw `char` with the font's own glyph for it
    (not .notdef, not a made-up glyph id for a missing character)."""
    names = []
    for font in fonts:
        glyph_name = font["cmap"].get(ord(char))
        if glyph_name is None or glyph_name == ".notdef":
            continue
        gid = font["ttfont"].getGlyphID(glyph_name)
        if gid and font["to_unicode"].get(gid) == char:
            names.append(font["name"])
    return names


# -- subset font ---------------------------------------------------------


def test_subset_font_files_exist_and_cover_rare_name_characters():
    _require_subset()
    for path in SUBSET_FONT_FILES:
        font = TTFont(path)
        assert font["name"].getDebugName(1) == "Huhang Sans"
        assert font["name"].getDebugName(6).startswith("HuhangSans-")
        cmap = font.getBestCmap()
        for char in RARE_NAME_CHARS + SENTENCE + "，。“”（）—…·Aa1":
            assert ord(char) in cmap, f"{char!r} missing from {path.name}"
        assert ord(OUTSIDE_SUBSET) not in cmap   # keeps the fallback test meaningful
        assert path.stat().st_size < 4_000_000


# -- rendering -----------------------------------------------------------


def test_chinese_text_round_trips_through_the_subset_font():
    _require_subset()
    names = f"张{RARE_NAME_CHARS[0]}、李{RARE_NAME_CHARS[1]}、王{RARE_NAME_CHARS[2]}"
    out = render_pdf(_html(SENTENCE, names, f"<b>{SENTENCE}</b>"))

    assert out.startswith(b"%PDF-")
    lines = [line.strip() for line in
             PdfReader(BytesIO(out)).pages[0].extract_text().splitlines()]
    assert lines == [SENTENCE, names, SENTENCE]

    fonts = _embedded_fonts(out)
    base_fonts = [f["name"] for f in fonts]
    assert any("Huhang-Sans" in n and "Bold" not in n for n in base_fonts), base_fonts
    assert any("Huhang-Sans-Bold" in n for n in base_fonts), base_fonts
    # Everything is in the subset, so the 19 MB system font is not touched.
    assert all("Huhang" in n for n in base_fonts), base_fonts
    for char in set(SENTENCE + names):
        drawn_by = _drawn_with_real_glyph(char, fonts)
        assert drawn_by, f"{char!r} has no real glyph in any embedded font"
        assert all("Huhang" in n for n in drawn_by)


def test_character_missing_from_subset_falls_back_to_full_font():
    _require_subset()
    text = f"张{RARE_NAME_CHARS[0]}{OUTSIDE_SUBSET}"
    out = render_pdf(_html(text))

    assert PdfReader(BytesIO(out)).pages[0].extract_text().strip() == text
    fonts = _embedded_fonts(out)
    for char in text:
        assert _drawn_with_real_glyph(char, fonts), f"{char!r} drawn as an empty box"
    assert any("Huhang" in n for n in _drawn_with_real_glyph("喆", fonts))
    fallback = _drawn_with_real_glyph(OUTSIDE_SUBSET, fonts)
    assert fallback and not any("Huhang" in n for n in fallback), fallback


def test_print_css_is_applied_and_extra_stylesheets_load_from_static():
    _require_subset()
    out = render_pdf(_html(SENTENCE), stylesheets=["/static/css/print.css"],
                     css="@page { size: A5 }")
    page = PdfReader(BytesIO(out)).pages[0]
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert round(width_mm) == 148                    # css= applied last (A5)
    out = render_pdf(_html(SENTENCE))
    width_mm = float(PdfReader(BytesIO(out)).pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 210                    # print.css: A4


def test_stylesheets_argument_refuses_non_static_urls():
    with pytest.raises(PDFResourceRefused):
        render_pdf(_html("x"), stylesheets=["file:///etc/passwd"])


def test_forbidden_resources_in_html_are_skipped_not_loaded():
    _require_subset()
    html = ('<html lang="zh-CN"><head>'
            '<link rel="stylesheet" href="file:///etc/passwd">'
            '</head><body><p>证明</p>'
            '<img src="file:///etc/passwd"><img src="http://example.com/x.png">'
            '<img src="/static/../../etc/passwd"></body></html>')
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler, old_level = Collect(level=logging.WARNING), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        out = render_pdf(html)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert PdfReader(BytesIO(out)).pages[0].extract_text().strip() == "证明"
    assert any("PDFResourceRefused" in message for message in records), records
    assert "root:" not in PdfReader(BytesIO(out)).pages[0].extract_text()


# -- URL fetcher ---------------------------------------------------------


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/static/css/print.css",
    "http://huhang.invalid.example.com/static/css/print.css",
    "http://user@huhang.invalid/static/css/print.css",
    "//example.com/static/css/print.css",
    "ftp://huhang.invalid/static/css/print.css",
    "data:text/css,body{}",
    "/static/../../etc/passwd",
    "/static/css/../../core/pdf.py",
    "http://huhang.invalid/static/%2e%2e/%2e%2e/etc/passwd",
    "http://huhang.invalid/static/css%2f..%2f..%2f..%2fconfig.py",
    "http://huhang.invalid/static/..%5c..%5cconfig.py",
    "/static/css\\..\\..\\config.py",
    "http://huhang.invalid/etc/passwd",
    "http://huhang.invalid/core/pdf.py",
    "/static/",
    "/static/css",                      # a directory
    "/static/css/nope.css",
    "/static/css/print.css\x00.png",
    "relative/print.css",
    "",
])
def test_fetcher_refuses(url):
    fetcher = StaticOnlyURLFetcher()
    with pytest.raises(PDFResourceRefused):
        fetcher.fetch(url)
    with pytest.raises(PDFResourceRefused):
        fetcher(url)


@pytest.mark.parametrize("url", [
    "/static/css/print.css",
    APP_BASE_URL + "static/css/print.css",
    "HTTP://HUHANG.INVALID/static/css/print.css?v=3#x",
    "/static/css/%70rint.css",
])
def test_fetcher_serves_static_files(url):
    response = StaticOnlyURLFetcher().fetch(url)
    try:
        assert response.read() == (STATIC_DIR / "css" / "print.css").read_bytes()
        assert response.content_type == "text/css"
    finally:
        response.close()


def test_fetcher_refuses_symlink_out_of_static(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p{}")
    (tmp_path / "secret.txt").write_text("secret")
    (static / "leak.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = StaticOnlyURLFetcher(static_dir=static)
    assert fetcher.fetch("/static/ok.css").read() == b"p{}"
    with pytest.raises(PDFResourceRefused):
        fetcher.fetch("/static/leak.txt")


def test_fetcher_serves_subset_font_for_font_face():
    _require_subset()
    response = StaticOnlyURLFetcher().fetch("/static/fonts/huhang-sans-sc-regular.otf")
    assert response.read(4) == b"OTTO"
    assert response.content_type == "font/otf"
    response.close()


# -- HTTP response ---------------------------------------------------------


def test_pdf_response_with_chinese_filename():
    response = pdf_response(b"%PDF-1.7 fake", "旧馆街道志愿服务证明-张喆 2025.pdf")
    assert response.mimetype == "application/pdf"
    assert response.get_data() == b"%PDF-1.7 fake"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="2025.pdf"' in disposition
    assert ("filename*=UTF-8''%E6%97%A7%E9%A6%86%E8%A1%97%E9%81%93%E5%BF%97%E6%84%BF"
            "%E6%9C%8D%E5%8A%A1%E8%AF%81%E6%98%8E-%E5%BC%A0%E5%96%86%202025.pdf") in disposition
    disposition.encode("latin-1")            # header must be ASCII-safe
    assert response.headers["Cache-Control"].startswith("no-store")
    assert response.headers["Content-Length"] == str(len(b"%PDF-1.7 fake"))


@pytest.mark.parametrize("filename, ascii_name", [
    ("证明", "document.pdf"),
    ('a"b/../c\r\n.pdf', "ab..c.pdf"),
    ("report.PDF", "report.PDF"),
    ("", "document.pdf"),
])
def test_content_disposition_sanitises(filename, ascii_name):
    value = content_disposition(filename, inline=True)
    assert value.startswith("inline; ")
    assert f'filename="{ascii_name}"' in value
    assert "\r" not in value and "\n" not in value and "/" not in value
    value.encode("latin-1")


def test_module_reuses_one_font_configuration():
    _require_subset()
    render_pdf(_html("一"))
    first = pdfmod._font_config
    render_pdf(_html("二"))
    assert first is not None and pdfmod._font_config is first
