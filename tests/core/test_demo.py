"""`flask seed-demo`: the demo programme loads once, and every demo account signs in to its own view."""
from __future__ import annotations

import re

from app.auth.models import User
from app.demo import DEMO_PASSWORD


def test_seed_demo_then_every_role_signs_in_and_sees_its_navigation(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "shegong" in result.output and DEMO_PASSWORD in result.output
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has data" in again.output
    assert db.session.query(User).filter_by(username="admin").count() == 1

    expected = {"admin": "账号", "shegong": "服务点", "duda": "服务点"}
    for username in ("admin", "shegong", "zhiyuan", "jiazhang", "duda"):
        client = app.test_client()
        response = client.post("/auth/login", data={"login": username, "password": DEMO_PASSWORD})
        assert response.status_code == 303, username
        html = client.get("/home").get_data(as_text=True)
        nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', html, re.S).group(1)
        assert "首页" in nav
        if username in expected:
            assert expected[username] in nav, username
        else:
            assert "服务点" not in nav and "账号" not in nav, username
        assert "旧馆街道" in html, username
