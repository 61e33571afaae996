"""The browser fixtures fail a test on any console error: a Content Security Policy violation (an
inline script, say) is one, and the fixture's watch sees it."""
from __future__ import annotations

import pytest

from tests.conftest import _watch_console

pytestmark = pytest.mark.browser


def test_a_csp_violation_is_a_console_error_the_fixtures_catch(browser, live_server):
    context = browser.new_context(base_url=live_server)
    try:
        page = context.new_page()
        errors = _watch_console(page)
        page.goto("/auth/login")
        assert errors == []
        with page.expect_console_message(lambda msg: "Content Security Policy" in msg.text):
            page.evaluate("""() => { const s = document.createElement('script');
                                    s.textContent = 'window.__inline = 1'; document.body.appendChild(s); }""")
        assert any("Content Security Policy" in error for error in errors), errors
        assert page.evaluate("window.__inline") is None  # and the inline script did not run
    finally:
        context.close()


def test_pages_load_without_console_errors(page, world, browser_login):
    """The main pages of each kind of user open cleanly (the fixture fails the test otherwise)."""
    browser_login(page, world.users["admin"])
    for url in ("/home", "/sites", f"/sites/{world.site.id}/overview", f"/sites/{world.site.id}/seasons",
                f"/sites/{world.site.id}/rooms", f"/sites/{world.site.id}/parties", "/admin/users", "/audit",
                "/children", f"/sites/{world.site.id}/children", "/volunteers", f"/sites/{world.site.id}/donations"):
        response = page.goto(url)
        assert response.status == 200, url
