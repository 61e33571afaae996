"""What a person would notice on a phone, checked in the browser (use from any browser test):

* ``overflow(page)``: elements whose right edge runs past the screen (ignoring those inside a
  horizontal scroller that itself fits on the screen: a wide table in its own scrolling box is fine);
* ``split_words(page)``: buttons, tabs, menu items, labels and table heads whose text breaks inside
  a word: a label of up to 12 characters must stay on one line; a longer one may break only at a
  space or a punctuation mark (、，。（）…), never between two letters of one run of text;
* ``small_targets(page)``: buttons, links in bars and menus, and summaries less than 44 px high;
  checkboxes and radios smaller than 24 px or whose label is less than 44 px high;
* ``check_page(page, name)``: saves a screenshot (``$HUHANG_SCREENSHOTS``, default
  /tmp/huhang-screens) for a person to look at, then fails on any of the above.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

SCREENS = Path(os.environ.get("HUHANG_SCREENSHOTS", "/tmp/huhang-screens"))

_VISIBLE = """
function visible(el) {
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.display === 'none') return false;
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2) return false;          // visually-hidden text and the like
  for (let a = el; a; a = a.parentElement) {
    if (a.classList && a.classList.contains('visually-hidden')) return false;
    if (a.tagName === 'DETAILS' && !a.open && a !== el && !el.closest('summary')) {
      if (el.closest('details') === a) return false;       // inside a closed disclosure
    }
  }
  return true;
}
"""

_OVERFLOW = "() => {" + _VISIBLE + """
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right <= width + 0.5) continue;
    let scrolled = false;                                     // inside a scroller that fits the screen
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') && a.getBoundingClientRect().right <= width + 0.5) {
        scrolled = true; break;
      }
    }
    if (scrolled) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    out.push(`${name} ends at ${Math.round(r.right)}px (screen ${width}px): ${(el.innerText || '').trim().slice(0, 40)}`);
  }
  return out;
}
"""

# a line may end after these (or before the opening ones): spaces and punctuation
_SPLIT = "() => {" + _VISIBLE + """
  const SELECTOR = 'button, .button, summary, label, th, .tabs a, .nav a, .nav-narrow a, .tag, [role=tab]';
  const BREAKABLE = /[\\s\\u3000、，。；：？！,.;:?!\\/（）()《》【】「」“”‘’·—–-]/;
  const out = [];
  for (const el of document.querySelectorAll(SELECTOR)) {
    if (!visible(el)) continue;
    const text = (el.innerText || '').replace(/\\s+/g, ' ').trim();
    if (!text) continue;
    // the characters' boxes, in order, with the text node each belongs to
    const chars = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !visible(parent)) continue;
      const range = document.createRange();
      for (let i = 0; i < node.length; i++) {
        const ch = node.data[i];
        if (/\\s/.test(ch)) { chars.push({node, ch, top: null}); continue; }
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        chars.push({node, ch, top: rects[0].top, bottom: rects[0].bottom});
      }
    }
    const boxed = chars.filter(c => c.top !== null);
    if (boxed.length < 2) continue;
    let lines = 1;
    const breaks = [];
    let prev = null;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (c.top === null) continue;
      if (prev && c.top >= prev.bottom - 2) {
        lines += 1;
        const before = chars[i - 1];
        const spaced = before && before.top === null;
        const sameRun = prev.node === c.node;
        if (sameRun && !spaced && !BREAKABLE.test(prev.ch) && !BREAKABLE.test(c.ch)) breaks.push(prev.ch + '/' + c.ch);
      }
      prev = c;
    }
    const length = [...text].length;
    if (length <= 12 && lines > 1) out.push(`"${text}" takes ${lines} lines (${el.tagName.toLowerCase()})`);
    else if (breaks.length) out.push(`"${text}" breaks inside a word at ${breaks.join(', ')} (${el.tagName.toLowerCase()})`);
  }
  return out;
}
"""

_TARGETS = "() => {" + _VISIBLE + """
  const out = [];
  const describe = el => `${el.tagName.toLowerCase()} "${(el.innerText || el.getAttribute('aria-label') || el.name || '').replace(/\\s+/g, ' ').trim().slice(0, 30)}"`;
  for (const el of document.querySelectorAll('button, .button, summary, .nav a, .nav-narrow a, .tabs a, .usermenu-body a, .pager a, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio])')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.height < 43.5) out.push(`${describe(el)} is ${Math.round(r.height)}px high`);
  }
  for (const box of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    if (!visible(box)) continue;
    const r = box.getBoundingClientRect();
    if (r.width < 23.5 || r.height < 23.5) out.push(`${describe(box)} box is ${Math.round(r.width)}x${Math.round(r.height)}px`);
    const label = box.closest('label') || (box.id && document.querySelector(`label[for="${CSS.escape(box.id)}"]`));
    const area = label ? label.getBoundingClientRect() : r;
    if (Math.max(area.height, r.height) < 43.5) out.push(`${describe(box)} can be hit on ${Math.round(area.height)}px height`);
  }
  return out;
}
"""


def overflow(page) -> list[str]:
    return page.evaluate(_OVERFLOW)


def split_words(page) -> list[str]:
    return page.evaluate(_SPLIT)


def small_targets(page) -> list[str]:
    return page.evaluate(_TARGETS)


def screenshot(page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}-{width}.png"
    page.evaluate("window.scrollTo(0, 0)")  # sticky bars where they stand at the top
    # caret="initial": hiding the caret would inject a <style>, which the CSP (rightly) refuses
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path


def check_page(page, name: str, *, targets: bool = True) -> None:
    """Screenshot the page, then fail on overflow, a word split across lines, or (on a touch screen)
    a target too small for a finger."""
    screenshot(page, name)
    problems = [f"overflow: {p}" for p in overflow(page)]
    problems += [f"split: {p}" for p in split_words(page)]
    if targets:
        problems += [f"target: {p}" for p in small_targets(page)]
    assert not problems, f"{name} ({page.url}):\n" + "\n".join(problems)
