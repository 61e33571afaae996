"""The phone checks in tests/browser/layout.py see what a person would: each kind of problem on a
small page written for it, and nothing on a page without one."""
from __future__ import annotations

import pytest

from tests.browser.layout import overflow, small_targets, split_words

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="zh-CN"><head><meta name="viewport" content="width=device-width">
<style>body{margin:0;font:16px sans-serif} button{min-height:44px} .scroller{overflow-x:auto;width:100%%}</style>
</head><body>%s</body></html>"""


@pytest.fixture
def small(browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_a_clean_page_has_no_problem(small):
    small.set_content(PAGE % """<button>退出</button><div class="scroller"><table><tr><td style="min-width:900px">宽表格</td></tr></table></div>
    <label style="display:inline-flex;align-items:center;min-height:44px"><input type="checkbox" style="width:24px;height:24px">仅看有健康提醒的</label>""")
    assert overflow(small) == [] and split_words(small) == [] and small_targets(small) == []


def test_an_element_past_the_screen_edge_is_overflow(small):
    small.set_content(PAGE % """<div style="width:420px">太宽</div>""")
    assert any("420" in problem or "ends at" in problem for problem in overflow(small))


def test_a_short_label_on_two_lines_and_a_word_split_are_caught(small):
    small.set_content(PAGE % """<button style="width:30px">退出</button>
    <label style="display:block;width:120px">录取（满员则列入候补）</label>""")
    problems = split_words(small)
    assert any("退出" in problem for problem in problems), problems
    assert any("录取（满员则列入候补）" in problem for problem in problems), problems


def test_a_long_label_may_break_only_between_phrases(small):
    small.set_content(PAGE % """<label style="display:block;width:200px;word-break:keep-all">我已阅读并同意《隐私告知书》，同意收集孩子的健康信息</label>""")
    assert split_words(small) == []
    small.set_content(PAGE % """<label style="display:block;width:200px">我已阅读并同意隐私告知书同意收集孩子的健康信息</label>""")
    assert split_words(small) != []


def test_small_buttons_and_checkboxes_are_caught(small):
    small.set_content(PAGE % """<button style="min-height:0;height:30px">保存</button><input type="checkbox" id="c"><label for="c">选</label>""")
    problems = small_targets(small)
    assert any("30px" in problem for problem in problems), problems
    assert any("box is" in problem for problem in problems), problems
