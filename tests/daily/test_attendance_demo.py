"""`flask seed-demo` marks the rosters of the demo season: every child of every session held, mostly
present, a few late, excused or absent, agreeing with the day's arrivals, each mark in the history;
the demo volunteer opens the roster of a session of theirs."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import User
from app.daily.models import AttendanceChange, DayRecord, SessionAttendance
from app.demo import DEMO_PASSWORD
from app.scheduling.models import Session, SessionStaff


def test_seed_demo_fills_the_seasons_attendance(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    by_status = dict(db.session.execute(select(SessionAttendance.status, func.count())
                                        .group_by(SessionAttendance.status)).all())
    total = sum(by_status.values())
    assert total > 5000 and set(by_status) == {"present", "late", "excused", "absent"}
    assert by_status["present"] / total > 0.85
    marked_sessions = db.session.scalar(select(func.count(func.distinct(SessionAttendance.session_id))))
    held = db.session.scalar(select(func.count()).select_from(Session).where(Session.cancelled.is_(False)))
    assert marked_sessions == held
    changes = db.session.scalar(select(func.count()).select_from(AttendanceChange))
    assert total <= changes < total * 1.1
    # an excused day is excused on that day's rosters
    excused = db.session.execute(select(SessionAttendance.status).join(Session, Session.id == SessionAttendance.session_id)
                                 .join(DayRecord, (DayRecord.child_id == SessionAttendance.child_id)
                                       & (DayRecord.day == Session.on_date)).where(DayRecord.excuse != "")).scalars().all()
    assert excused and set(excused) == {"excused"}

    volunteer = db.session.scalar(select(User).where(User.username == "zhiyuan"))
    mine = db.session.scalar(select(SessionStaff.session_id).where(SessionStaff.user_id == volunteer.id,
                                                                   SessionStaff.status == "confirmed").limit(1))
    client = app.test_client()
    assert client.post("/auth/login", data={"login": "zhiyuan", "password": DEMO_PASSWORD}).status_code == 303
    page = client.get(f"/sessions/{mine}/attendance")
    assert page.status_code == 200 and 'aria-pressed="true"' in page.get_data(as_text=True)
