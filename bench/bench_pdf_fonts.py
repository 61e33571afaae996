#!/usr/bin/env python3
"""Time one certificate-like A4 page rendered with three font set-ups.

    .venv/bin/python bench/bench_pdf_fonts.py [--runs 5]

(a) subset   -- the default: 'Huhang Sans' subset from print.css
(b) noto     -- only 'Noto Sans CJK SC' by family name (19 MB system .ttc)
(c) wqy      -- only 'WenQuanYi Zen Hei' by family name (17 MB system .ttc)
(d) fallback -- the subset plus two characters it lacks (龘 𠮷), which pull
                in the full Noto Sans CJK SC as fallback

Everything goes through app.core.pdf.render_pdf (same fetcher, same shared
FontConfiguration, print.css always loaded); (b)-(d) only add a CSS override.
Each variant: one warm-up render, then --runs timed renders; median reported.
--fonttools-subset makes WeasyPrint embed fonts with fontTools instead of
HarfBuzz-subset, i.e. what happens on a host without libharfbuzz-subset0
(or HarfBuzz < 4.1); that is where the full Noto collection costs seconds.
Needs the subset: python tools/make_font_subset.py
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_pdf_module():
    """Import app/core/pdf.py without importing the app package (no Flask app)."""
    spec = importlib.util.spec_from_file_location("huhang_pdf", ROOT / "app/core/pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>志愿服务证明</title>
<style>
  h1 {{ font-size: 22pt; margin-top: 25mm; }}
  .no {{ text-align: right; font-size: 9pt; }}
</style></head>
<body>
<p class="no">编号：HH-2025-000123</p>
<h1>旧馆街道志愿服务证明</h1>
<p class="indent">兹证明 <b>张喆</b>（身份证号后四位 0427）于 2025 年 7 月 1 日至 8 月 15 日，\
在旧馆街道“护航”外来务工人员子女暑期项目中担任志愿者，负责课业辅导、安全看护与\
阅读陪伴等工作，累计服务 <b>96</b> 小时，表现认真负责，获得孩子与家长的一致好评。{extra}</p>
<p class="indent">特此证明。</p>
<table>
  <thead><tr><th>时间段</th><th>服务内容</th><th>时长（小时）</th></tr></thead>
  <tbody>
    <tr><td>7月1日—7月15日</td><td>数学、语文作业辅导；与李玥、王堃共同组织读书会</td><td class="num">32</td></tr>
    <tr><td>7月16日—7月31日</td><td>安全教育课程、手工活动</td><td class="num">30</td></tr>
    <tr><td>8月1日—8月15日</td><td>结营展示筹备、家访记录整理</td><td class="num">34</td></tr>
  </tbody>
</table>
<div class="signature">
  <span class="seal"></span>
  <p class="org">旧馆街道办事处（盖章）</p>
  <p class="date">二〇二五年八月十六日</p>
</div>
</body></html>"""

ONLY = "html, body, body * {{ font-family: '{family}' !important; }}"

VARIANTS = [
    ("subset", "a) subset 'Huhang Sans' (default)", None, ""),
    ("noto", "b) 'Noto Sans CJK SC' only", ONLY.format(family="Noto Sans CJK SC"), ""),
    ("wqy", "c) 'WenQuanYi Zen Hei' only", ONLY.format(family="WenQuanYi Zen Hei"), ""),
    ("fallback", "d) subset + 2 chars from fallback", None, "（龘𠮷）"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--save", metavar="DIR", help="also write each PDF to DIR")
    parser.add_argument("--write", action="store_true", help="write the results to docs/PERFORMANCE.md")
    parser.add_argument("--fonttools-subset", action="store_true",
                        help="simulate a host without libharfbuzz-subset")
    args = parser.parse_args()

    if args.fonttools_subset:
        import weasyprint.pdf.fonts

        weasyprint.pdf.fonts.harfbuzz_subset = None
        import logging

        logging.getLogger("weasyprint").setLevel(logging.ERROR)

    pdf = load_pdf_module()
    if missing := pdf.missing_subset_fonts():
        print("subset font missing: run `python tools/make_font_subset.py` first "
              f"({', '.join(str(p) for p in missing)})", file=sys.stderr)
        return 1

    from weasyprint import __version__ as weasyprint_version
    from weasyprint.pdf.fonts import harfbuzz_subset

    print(f"WeasyPrint {weasyprint_version}, font embedding via "
          f"{'HarfBuzz-subset' if harfbuzz_subset else 'fontTools'}, "
          f"median of {args.runs} runs after 1 warm-up\n")
    medians, rows = {}, []
    for key, label, css, extra in VARIANTS:
        html = PAGE.format(extra=extra)
        out = pdf.render_pdf(html, css=css)              # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            out = pdf.render_pdf(html, css=css)
            times.append(time.perf_counter() - started)
        medians[key] = statistics.median(times)
        if args.save:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            Path(args.save, f"bench-{key}.pdf").write_bytes(out)
        rows.append(f"| {label} | {medians[key] * 1000:.1f} | {len(out) / 1024:.0f} KiB |")
        print(f"{label:<40} median {medians[key] * 1000:8.1f} ms   "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, "
              f"{len(out) / 1024:.0f} KiB PDF)")

    print()
    print(f"subset / noto     = {medians['subset'] / medians['noto']:.3f}  "
          f"(subset is {medians['noto'] / medians['subset']:.1f}x faster)")
    print(f"subset / wqy      = {medians['subset'] / medians['wqy']:.3f}  "
          f"(subset is {medians['wqy'] / medians['subset']:.1f}x faster)")
    print(f"fallback / subset = {medians['fallback'] / medians['subset']:.2f}")
    if args.write:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from bench.common import machine, write_section

        write_section("pdf-fonts", "\n".join([
            "## PDF fonts (bench/bench_pdf_fonts.py)", "",
            f"One certificate-like A4 page, WeasyPrint {weasyprint_version}, font embedding via "
            f"{'HarfBuzz-subset' if harfbuzz_subset else 'fontTools'}, median of {args.runs} runs after a "
            f"warm-up; {machine()}.", "",
            "| fonts | median ms | PDF size |", "|---|---:|---:|", *rows, "",
            f"Ratio prepared subset / system Noto Sans CJK SC by family name: "
            f"**{medians['subset'] / medians['noto']:.2f}**; subset / WenQuanYi Zen Hei: "
            f"{medians['subset'] / medians['wqy']:.2f}. See docs/PDF.md for the method."]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
