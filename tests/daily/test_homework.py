"""Homework: a plan per child and subject, progress never beyond it and only on days of the season,
completion per child, and the season's outcome (finished everything / enrolled)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.daily.models import HomeworkPlan, HomeworkProgress


def _plan(client, w, child, subject="数学", units=20):
    response = client.post(f"/seasons/{w.season.id}/children/{child.id}/homework",
                           data={"subject": subject, "workbook": "暑假作业 三年级", "units": str(units)})
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    return __import__("app.extensions", fromlist=["db"]).db.session.scalar(
        select(HomeworkPlan).where(HomeworkPlan.child_id == child.id, HomeworkPlan.subject == subject))


def _progress(client, plan, units, day, remarks=""):
    return client.post(f"/homework/{plan.id}/progress",
                       data={"day": day.isoformat(), "units_done": str(units), "remarks": remarks})


def _done(db, plan):
    db.session.expire_all()
    return db.session.scalar(select(func.coalesce(func.sum(HomeworkProgress.units_done), 0))
                             .where(HomeworkProgress.plan_id == plan.id))


def test_progress_up_to_the_plan_and_the_completion(client, db, login, day_world):
    w = day_world
    child = w.children[0]
    login(client, w.coordinator)
    math = _plan(client, w, child, "数学", 10)
    chinese = _plan(client, w, child, "语文", 10)
    assert _progress(client, math, 6, w.day, "分数应用题有困难").status_code == 303
    assert _progress(client, chinese, 4, w.day).status_code == 303
    html = client.get(f"/seasons/{w.season.id}/children/{child.id}/homework").get_data(as_text=True)
    assert "分数应用题有困难" in html and 'data-testid="child-percent">50%' in html


def test_progress_beyond_the_plan_is_refused(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    plan = _plan(client, w, w.children[0], units=10)
    _progress(client, plan, 8, w.day)
    response = _progress(client, plan, 3, w.day)
    assert response.status_code == 422 and "Only 2 of 10 units are left" in response.get_data(as_text=True)
    assert _done(db, plan) == 8


def test_progress_on_a_day_outside_the_season_is_refused(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    plan = _plan(client, w, w.children[0])
    for day in (w.season.start_date - timedelta(days=1), w.season.end_date + timedelta(days=1)):
        response = _progress(client, plan, 1, day)
        assert response.status_code == 422 and "Choose a day of the season" in response.get_data(as_text=True)
    for bad in ({"units_done": "0"}, {"units_done": "abc"}, {"units_done": "9" * 30}, {"day": "2025-13-40"}):
        data = {"day": w.day.isoformat(), "units_done": "1", **bad}
        assert client.post(f"/homework/{plan.id}/progress", data=data).status_code == 422, bad
    assert _done(db, plan) == 0


def test_a_subject_is_planned_once_and_plans_need_their_fields(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    _plan(client, w, w.children[0])
    url = f"/seasons/{w.season.id}/children/{w.children[0].id}/homework"
    assert client.post(url, data={"subject": "数学", "workbook": "另一本", "units": "5"}).status_code == 422
    assert client.post(url, data={"subject": "英语", "workbook": "", "units": "5"}).status_code == 422
    assert client.post(url, data={"subject": "英语", "workbook": "书", "units": "0"}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(HomeworkPlan)) == 1


def test_the_seasons_outcome_counts_children_who_finished_everything(client, db, login, day_world):
    from app.daily.queries import homework_outcomes

    w = day_world
    login(client, w.coordinator)
    first, second, _third = w.children
    a = _plan(client, w, first, "数学", 5)
    b = _plan(client, w, first, "语文", 5)
    c = _plan(client, w, second, "数学", 5)
    _progress(client, a, 5, w.day)
    _progress(client, c, 5, w.day)
    _progress(client, b, 4, w.day)
    assert homework_outcomes(w.season) == {"finished": 1, "enrolled": 3}
    _progress(client, b, 1, w.day)
    assert homework_outcomes(w.season) == {"finished": 2, "enrolled": 3}
    html = client.get(f"/seasons/{w.season.id}/homework").get_data(as_text=True)
    assert 'data-testid="homework-finished">2 / 3' in html
