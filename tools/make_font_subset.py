#!/usr/bin/env python3
"""Build the Chinese font subset used by every PDF (see docs/PDF.md).

Cuts "Noto Sans CJK SC" (Regular and Bold) out of the system Noto Sans CJK
collections and keeps only:

* every character encodable in GB2312 (~7,500 hanzi + symbols),
* ASCII and Latin-1 (× ÷ ° ± © …),
* CJK symbols & punctuation U+3000-303F, fullwidth forms U+FF00-FFEF,
* general punctuation U+2000-206F (— … “ ” ‘ ’ ‧ ※ …) and a few others (·),
* a curated list of characters that are common in personal names but not
  in GB2312 (喆 玥 堃 …, see NAME_CHARS).

The result is ~3 MB per weight instead of a 19 MB collection, which makes a
small A4 page render in tens of milliseconds instead of seconds.  Characters
outside the subset are still rendered: print.css lists the full system font
after the subset in ``font-family``.

The subset is renamed to "Huhang Sans" (PostScript "HuhangSans-Regular" /
"HuhangSans-Bold").  The rename is required, not cosmetic: if the subset
kept the family name "Noto Sans CJK SC", a ``font-family`` fallback to
"Noto Sans CJK SC" could resolve to the subset again instead of the full
system font.  (It is also what the SIL OFL asks of modified versions.)

Outputs (build artefacts, gitignored):
    app/static/fonts/huhang-sans-sc-regular.otf
    app/static/fonts/huhang-sans-sc-bold.otf

Usage:
    python tools/make_font_subset.py           # no-op when up to date
    python tools/make_font_subset.py --force   # rebuild
Exit status: 0 on success or when up to date, 1 when the source font is
missing (install the Debian package fonts-noto-cjk) or the build fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "app" / "static" / "fonts"

SOURCE_DIR = Path(os.environ.get("NOTO_CJK_DIR", "/usr/share/fonts/opentype/noto"))
APT_PACKAGE = "fonts-noto-cjk"

# Face to extract from each .ttc collection (matched on name ID 6).
SOURCE_FACE_FAMILY = "Noto Sans CJK SC"

FAMILY = "Huhang Sans"
POSTSCRIPT_FAMILY = "HuhangSans"

# (source collection, PostScript name of the face inside it, style, output file)
BUILDS = [
    ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular", "Regular",
     "huhang-sans-sc-regular.otf"),
    ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold", "Bold",
     "huhang-sans-sc-bold.otf"),
]

# Characters frequent in Chinese personal (and some place) names that GB2312
# lacks (every one below is outside GB2312; 婧, 琦, 昕 … already are in it).
# Not exhaustive -- anything missing falls back to the full system font.
NAME_CHARS = (
    "喆堃玥昇珺琍彧炘淏瑄镕赟祎禕垚犇烜璟瑀瑢璠琇珮瑒禛翀芃嫚劼頔皞堉崟湉"
    "旻昉玙珅琤瑨璿暐暻晞曌燊炟钖玹琸瑆溦沄汭洺湝姮婳嬿妘媞昺曈燚璘镠玶琎"
    "瑧玗珣瑱昳晧湙瀞焜"
    "啰㑇"  # 啰 (common in GB18030 text), 㑇 (Ext A, place names)
)

# Punctuation commonly typed in Chinese text outside the ranges below.
EXTRA_CHARS = "·—…“”‘’•‧※℃№™€￥〇"

RANGES = [
    (0x0020, 0x007E),  # ASCII printable
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0x2000, 0x206F),  # General punctuation
    (0x2100, 0x214F),  # Letterlike symbols (℃ № ™)
    (0x2160, 0x217F),  # Roman numerals
    (0x2460, 0x24FF),  # Enclosed alphanumerics (① …)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # Halfwidth and fullwidth forms
]

# OpenType layout features kept (horizontal Chinese + Latin text only).
# 'locl' is deliberately dropped: in the SC face it only maps to JP/KR/TC/HK
# glyph variants, which would nearly double the file (14k vs 8k glyphs); the
# subset therefore always draws Simplified Chinese forms, whatever `lang` is.
LAYOUT_FEATURES = [
    "ccmp", "calt", "liga", "clig", "rlig", "kern", "mark", "mkmk",
    "frac", "numr", "dnom", "sups", "subs",
    "fwid", "hwid", "pwid", "palt", "halt", "chws",
]

# Vertical-writing tables are useless for our horizontal documents.
DROP_TABLES = ["VORG", "vhea", "vmtx", "DSIG"]


def gb2312_chars() -> set[str]:
    """Every character encodable in GB2312 (EUC-CN two-byte range)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def wanted_codepoints() -> list[int]:
    chars = gb2312_chars()
    chars.update(NAME_CHARS)
    chars.update(EXTRA_CHARS)
    for start, end in RANGES:
        chars.update(chr(cp) for cp in range(start, end + 1))
    return sorted(ord(c) for c in chars)


def find_face(collection_path: Path, postscript_name: str):
    """Open the face with the given PostScript name from a .ttc/.otc."""
    from fontTools.ttLib import TTCollection, TTFont

    collection = TTCollection(collection_path, lazy=True)
    for number, face in enumerate(collection.fonts):
        if face["name"].getDebugName(6) == postscript_name:
            collection.close()
            return TTFont(collection_path, fontNumber=number, lazy=False,
                          recalcTimestamp=False)
    collection.close()
    raise SystemExit(
        f"error: no face named {postscript_name!r} ({SOURCE_FACE_FAMILY}) "
        f"in {collection_path}")


def rename(font, style: str) -> None:
    """Rename the subset to Huhang Sans, keeping copyright and licence."""
    ps_name = f"{POSTSCRIPT_FAMILY}-{style}"
    full_name = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    name = font["name"]
    source_ps = name.getDebugName(6)
    version = name.getDebugName(5) or ""
    new = {
        1: FAMILY,
        2: style,
        3: f"{ps_name};subset of {source_ps}",
        4: full_name,
        6: ps_name,
    }
    # Drop every localized record we would otherwise leave stale, then set
    # the new names (Windows + Mac platforms).
    name.names = [r for r in name.names if r.nameID not in (*new, 16, 17)]
    for name_id, value in new.items():
        name.setName(value, name_id, 3, 1, 0x409)
        name.setName(value, name_id, 1, 0, 0)
    if version:
        name.setName(version, 5, 3, 1, 0x409)

    # CFF-internal names (the collection shares one CFF table, named after
    # the JP face).
    cff = font["CFF "].cff
    old_ps = cff.fontNames[0]
    cff.fontNames = [ps_name]
    top = cff.topDictIndex[0]
    top.FullName = full_name
    top.FamilyName = FAMILY
    if hasattr(top, "FDArray"):
        for fd in top.FDArray:
            if getattr(fd, "FontName", None):
                fd.FontName = fd.FontName.replace(old_ps, ps_name)


def build_one(source: Path, postscript_name: str, style: str, out: Path,
              codepoints: list[int]) -> None:
    from fontTools import subset

    started = time.perf_counter()
    font = find_face(source, postscript_name)

    options = subset.Options()
    options.hinting = False
    options.desubroutinize = False      # keep CFF subroutines: smaller file
    options.layout_features = LAYOUT_FEATURES
    options.drop_tables = sorted(set(options.drop_tables) | set(DROP_TABLES))
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14]
    options.name_languages = [0x409, 0]
    options.notdef_outline = True
    options.glyph_names = False
    options.recalc_timestamp = False     # reproducible output
    options.prune_unicode_ranges = True

    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    rename(font, style)

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        font.save(tmp)
        os.chmod(tmp, 0o644)   # mkstemp creates 0600
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    font.close()

    glyphs = len(codepoints)
    print(f"  wrote {out.relative_to(ROOT)} "
          f"({out.stat().st_size / 1e6:.1f} MB, {glyphs} codepoints requested, "
          f"{time.perf_counter() - started:.1f} s)")


def up_to_date(out: Path, source: Path) -> bool:
    if not out.exists():
        return False
    newest_input = max(source.stat().st_mtime, Path(__file__).stat().st_mtime)
    return out.stat().st_mtime > newest_input


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true",
                        help="rebuild even if the outputs are up to date")
    args = parser.parse_args(argv)

    missing = [SOURCE_DIR / src for src, *_ in BUILDS
               if not (SOURCE_DIR / src).is_file()]
    if missing:
        print(
            "error: source font not found: "
            + ", ".join(str(p) for p in missing)
            + f"\n  Install it with: sudo apt-get install {APT_PACKAGE}"
            + "\n  (or point NOTO_CJK_DIR at a directory holding "
            + ", ".join(src for src, *_ in BUILDS) + ")",
            file=sys.stderr)
        return 1

    todo = [(SOURCE_DIR / src, ps, style, OUT_DIR / out)
            for src, ps, style, out in BUILDS]
    if not args.force:
        todo = [job for job in todo if not up_to_date(job[3], job[0])]
    if not todo:
        print("font subset up to date: "
              + ", ".join(str((OUT_DIR / out).relative_to(ROOT))
                          for *_, out in BUILDS))
        return 0

    try:
        from fontTools import subset  # noqa: F401
    except ImportError:
        print("error: fontTools is not installed (pip install fonttools)",
              file=sys.stderr)
        return 1

    codepoints = wanted_codepoints()
    print(f"building {FAMILY} subset from {SOURCE_FACE_FAMILY} ...")
    for source, ps, style, out in todo:
        build_one(source, ps, style, out, codepoints)
    return 0


if __name__ == "__main__":
    sys.exit(main())
