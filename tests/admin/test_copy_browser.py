"""The 复制链接 button beside an invitation link copies the whole link, on a phone (issue 9)."""
from __future__ import annotations


def test_the_copy_button_copies_the_invitation_link(phone_page, browser_login, world):
    page = phone_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    browser_login(page, world.users["admin"])
    page.goto(f"/admin/users/{world.users['volunteer'].id}")
    page.get_by_role("button", name="生成新的邀请链接").click()
    field = page.get_by_test_id("invitation-link")
    field.wait_for()
    link = field.input_value()
    assert "/auth/invite/" in link
    page.get_by_role("button", name="复制链接").click()
    page.get_by_text("链接已复制。").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
