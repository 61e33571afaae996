"""WCAG 2.1 A/AA by axe-core over every HTML page of every role, in Chinese and English.

axe-core is an npm devDependency (package.json), never served to users: the test puts
``node_modules/axe-core/axe.min.js`` into each page through the DevTools protocol (an init script of
the browser context, or ``page.evaluate``), which the page's Content Security Policy does not govern,
so the app's CSP stays as strict as it is.

The pages are the route × role walk of tests/core/routes.py: every GET URL filled with real objects,
opened by each role; what a role may open (200, a full HTML page) is checked at 360 px in both
languages, and the main pages again at 1280 px. Any violation fails the test, listed by rule, page
and element.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import BASE_DIR
from tests.conftest import _watch_console, browser_sign_in
from tests.core.routes import ROLES_IN_ORDER, endpoint_rules, fill, route_values

pytestmark = pytest.mark.browser

AXE = Path(BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The pages a person opens most, checked on a desktop too (the rest at phone width).
DESKTOP = ("/home", "/auth/login", "/children", "/volunteers", "/me/volunteer", "/sites", "/join/{site_id}",
           "/verify", "/admin/users", "/audit", "/sites/{site_id}/overview", "/sites/{site_id}/hours/pending",
           "/sites/{site_id}/children", "/children/{child_id}", "/children/{child_id}/consent",
           "/seasons/{season_id}/children", "/volunteers/{profile_id}")

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\\s+/g, ' '))}));
}"""


def axe_source() -> str:
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (make test does), axe-core is a devDependency"
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, source: str | None = None) -> list[dict]:
    """Violations of WCAG 2.1 A/AA on the page as it is now (axe is put in the page from ``source``
    unless an init script already did)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source or axe_source())
    return page.evaluate(RUN_AXE, WCAG_21_AA)


def describe(where: str, violations: list[dict]) -> list[str]:
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']}\n      " + "\n      ".join(v["nodes"])
            for v in violations]


def html_pages(app, login, world, urls: list[str]) -> dict[str, list[str]]:
    """For each role, the URLs it may open that answer a full HTML page."""
    pages = {}
    for role in ROLES_IN_ORDER:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        pages[role] = []
        for url in urls:
            response = client.get(url)
            if (response.status_code == 200 and response.mimetype == "text/html"
                    and "<html" in response.get_data(as_text=True)[:300]):
                pages[role].append(url)
    return pages


def test_every_page_of_every_role_meets_wcag_21_aa(app, db, make, login, world, browser, live_server):
    values = route_values(db, make, world)
    urls = [fill(rule, values) for _, rule, _ in endpoint_rules(app, methods=("GET",))]
    pages = html_pages(app, login, world, urls)
    desktop = {url.format(**values) for url in DESKTOP}
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (make test does), axe-core is a devDependency"
    found, checked, errors = [], 0, []
    for role in ROLES_IN_ORDER:
        for locale in ("zh-CN", "en"):
            context = browser.new_context(base_url=live_server, locale=locale,
                                          viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
            context.add_init_script(path=str(AXE))  # in every page before its own scripts, once compiled
            try:
                page = context.new_page()
                page.set_default_timeout(10000)
                errors += _watch_console(page)
                if role != "anonymous":
                    browser_sign_in(page, world.users[role])
                for url in pages[role]:
                    for width in ((360, 1280) if url in desktop else (360,)):
                        page.set_viewport_size({"width": width, "height": 740})
                        if page.url != live_server + url:
                            page.goto(url, wait_until="domcontentloaded")
                        found += describe(f"{role} {locale} {width}px {url}", axe_violations(page))
                        checked += 1
                page.set_viewport_size({"width": 360, "height": 740})
            finally:
                context.close()
    assert checked > 300, checked
    assert not found, f"{len(found)} axe violations in {checked} page views:\n" + "\n".join(found)
    assert errors == [], errors
