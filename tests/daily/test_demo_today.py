"""The demo's day: the coordinator's home shows open alerts (an allergy one among them) with the badge,
and the demo guardian reaches their own peanut-allergic child."""
from __future__ import annotations

from app.demo import DEMO_PASSWORD


def test_the_demo_today_has_open_alerts_and_the_guardian_their_child(app, db):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    coordinator = app.test_client()
    coordinator.post("/auth/login", data={"login": "shegong", "password": DEMO_PASSWORD})
    html = coordinator.get("/home").get_data(as_text=True)
    alerts = html[html.index('data-testid="open-alerts"'):]
    assert "今日名单中有过敏" in alerts and "宫保鸡丁" in alerts and "未到达" in alerts
    assert 'data-testid="nav-alerts"' in html
    guardian = app.test_client()
    guardian.post("/auth/login", data={"login": "jiazhang", "password": DEMO_PASSWORD})
    mine = guardian.get("/me/children").get_data(as_text=True)
    assert 'data-testid="child-meals-' in mine
    child_id = mine.split('data-testid="child-meals-')[1].split('"')[0]
    meals = guardian.get(f"/me/children/{child_id}/meals?week=2025-07-07").get_data(as_text=True)
    assert "花生" in meals and 'data-testid="marked-dish"' in meals
