"""Accounts: an administrator creates them, gives roles per site, and hands out invitations."""
from __future__ import annotations

from app.auth.models import Invitation, RoleGrant, User

HX = {"HX-Request": "true"}


def test_admin_creates_an_account_and_invites_it(client, db, login, world):
    login(client, world.users["admin"])
    response = client.post("/admin/users", data={
        "username": "chenmei", "display_name": "陈梅", "phone": "139-0000-2222", "role": "coordinator",
        "site_id": str(world.site.id)})
    assert response.status_code == 303
    user = db.session.query(User).filter_by(username="chenmei").one()
    assert user.phone == "13900002222" and user.roles_on(world.site.id) == {"coordinator"}
    assert user.password_hash is None
    page = client.post(f"/admin/users/{user.id}/invitation", data={}).get_data(as_text=True)
    assert "/auth/invite/" in page and "<svg" in page  # the link and its QR code
    link = page.split('data-testid="invitation-link"')[0].rsplit('value="', 1)[1].split('"')[0]
    client.post("/auth/logout", data={})
    path = link.split("localhost", 1)[1]
    assert client.post(path, data={"password": "newpassword1", "confirm": "newpassword1"}).status_code == 303
    assert "陈梅" in client.get("/home").get_data(as_text=True)


def test_bad_account_input_is_refused_in_place(client, db, login, world):
    login(client, world.users["admin"])
    before = db.session.query(User).count()
    cases = [
        ({"username": "", "display_name": "", "role": "volunteer", "site_id": str(world.site.id)}, "此项为必填项"),
        ({"username": "coordinator", "display_name": "重名", "role": "volunteer", "site_id": str(world.site.id)}, "该用户名已被占用"),
        ({"username": "COORDINATOR", "display_name": "重名", "role": "volunteer", "site_id": str(world.site.id)}, "该用户名已被占用"),
        ({"username": "张三", "display_name": "张三", "role": "volunteer", "site_id": str(world.site.id)}, "只能使用字母"),
        ({"username": "nosite", "display_name": "无点", "role": "volunteer", "site_id": "0"}, "请选择该角色所属的服务点"),
        ({"username": "badsite", "display_name": "坏点", "role": "volunteer", "site_id": "99999"}, "请从列表中选择"),
        ({"username": "badrole", "display_name": "坏角色", "role": "king", "site_id": str(world.site.id)}, "不是有效的选择"),
    ]
    for data, message in cases:
        response = client.post("/admin/users", data=data, headers=HX)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert db.session.query(User).count() == before


def test_duplicate_phone_is_refused(client, db, login, world, make):
    make.user("volunteer", world.site, phone="13700001234")
    login(client, world.users["admin"])
    response = client.post("/admin/users", data={"username": "newone", "display_name": "新人", "phone": "13700001234",
                                                 "role": "volunteer", "site_id": str(world.site.id)})
    assert response.status_code == 422 and "该手机号已被其他账号使用" in response.get_data(as_text=True)


def test_roles_are_added_and_removed_in_place(client, db, login, world):
    login(client, world.users["admin"])
    target = world.users["volunteer"]
    added = client.post(f"/admin/users/{target.id}/grants", headers=HX,
                        data={"role": "auditor", "site_id": str(world.other_site.id)})
    assert added.status_code == 200 and "练市镇" in added.get_data(as_text=True)
    duplicate = client.post(f"/admin/users/{target.id}/grants", headers=HX,
                            data={"role": "auditor", "site_id": str(world.other_site.id)})
    assert duplicate.status_code == 422 and "已有这个角色" in duplicate.get_data(as_text=True)
    grant = db.session.query(RoleGrant).filter_by(user_id=target.id, role="auditor").one()
    client.post(f"/admin/grants/{grant.id}/remove", headers=HX, data={})
    assert db.session.query(RoleGrant).filter_by(user_id=target.id, role="auditor").count() == 0


def test_the_last_administrator_stays(client, db, login, world):
    admin = world.users["admin"]
    login(client, admin)
    grant = admin.grants[0]
    response = client.post(f"/admin/grants/{grant.id}/remove", headers=HX, data={})
    assert response.status_code == 422 and "最后一位管理员" in response.get_data(as_text=True)
    assert client.post(f"/admin/users/{admin.id}/active", data={}).status_code == 303
    assert db.session.get(User, admin.id).active


def test_disabled_account_is_signed_out_and_cannot_be_invited(app, client, db, login, world):
    login(client, world.users["admin"])
    volunteer_client = app.test_client()
    login(volunteer_client, world.users["volunteer"])
    client.post(f"/admin/users/{world.users['volunteer'].id}/active", data={})
    assert volunteer_client.get("/home").status_code == 302
    client.post(f"/admin/users/{world.users['volunteer'].id}/invitation", data={})
    assert db.session.query(Invitation).count() == 0


def test_user_search_filters_live(client, login, world):
    login(client, world.users["admin"])
    html = client.get("/admin/users?q=other", headers=HX).get_data(as_text=True)
    assert "other_coordinator" in html and ">volunteer<" not in html and "<html" not in html


def test_navigation_shows_each_role_only_what_it_may_use(app, login, world):
    expectations = {
        "admin": {"首页", "服务点", "志愿者", "儿童", "操作日志", "账号"},
        "coordinator": {"首页", "服务点", "志愿者", "儿童"},
        "auditor": {"首页", "服务点", "志愿者"},
        "volunteer": {"首页", "我的志愿服务", "我的班次"},
        "guardian": {"首页", "我的孩子"},
    }
    import re

    for role, labels in expectations.items():
        client = app.test_client()
        login(client, world.users[role])
        html = client.get("/home").get_data(as_text=True)
        nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', html, re.S).group(1)
        assert set(re.findall(r">([^<]+)</a>", nav)) == labels, role


def test_the_role_lists_start_at_the_least_powerful_role(client, login, world):
    """Issue 9: the role list defaulted to 管理员; a slip must give too little, not everything."""
    import re

    login(client, world.users["admin"])
    for url in ("/admin/users", f"/admin/users/{world.users['coordinator'].id}"):
        html = client.get(url).get_data(as_text=True)
        select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', html, re.S).group(1)
        options = re.findall(r'<option([^>]*)value="(\w+)"([^>]*)>', select)
        values = [value for _before, value, _after in options]
        assert values[0] == "guardian" and values[-1] == "admin", values
        selected = [value for before, value, after in options if "selected" in before + after]
        assert selected == ["guardian"], (url, selected)


def test_an_invitation_link_comes_with_a_copy_button(client, login, world):
    login(client, world.users["admin"])
    page = client.post(f"/admin/users/{world.users['volunteer'].id}/invitation", data={}).get_data(as_text=True)
    assert 'id="invitation-link-field"' in page
    assert '<button type="button" class="button" data-copy="invitation-link-field"' in page and "复制链接" in page
