"""Reads of a season's outcomes (issue 11): attendance rates per season, group, activity and child;
interest participation (distinct interest activities attended) and the children below its target;
the outcomes panel of the season hub. Every function runs a fixed number of statements whatever the
enrolment: the counting is done by SQL (GROUP BY), never by a loop that queries per child.

Definitions (docs/OUTCOMES.md):
- a session *counts* when it is not cancelled, its date is on or before today (Asia/Shanghai) and its
  roster was taken (at least one child marked on it);
- in a counted session the children *expected* are the children enrolled in the season who are members
  of the session's group, plus any enrolled child marked on it (a guest);
- attended = present or late; excused is neither attended nor missed (left out of the denominator);
  absent, or expected without a mark, is missed;
- rate = attended / (counted sessions expected - excused).
- interest participation: the distinct activities of the interest track a child attended (present or
  late) in sessions not cancelled, up to today; the target is ``INTEREST_TARGET``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, literal, select, union
from sqlalchemy.orm import aliased

from app.children.models import Child, Enrolment, Guardian
from app.core.timeutil import local_today
from app.daily.models import SessionAttendance
from app.daily.queries import homework_outcomes
from app.extensions import db
from app.scheduling.models import Activity, Group, GroupMember, Session
from app.sites.models import Season

# Interest activities each child should have attended by the end of the season. A constant, not a
# stored setting (no migration for it yet): change it here; the pages and the panel read it.
INTEREST_TARGET = 2
INTEREST_TRACK = "interest"
ATTENDED = ("present", "late")
CHILD_SORTS = ("rate", "rate_desc", "name")


@dataclass(frozen=True)
class Figure:
    """``n / total (percent%)``; no percent when there is nothing to count."""
    n: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.n / self.total) if self.total else None


@dataclass(frozen=True)
class Rate:
    """Attendance of a child, group, activity or season: attended, missed and excused marks."""
    attended: int = 0
    counted: int = 0      # expected in counted sessions, excused left out
    excused: int = 0

    @property
    def missed(self) -> int:
        return self.counted - self.attended

    @property
    def figure(self) -> Figure:
        return Figure(self.attended, self.counted)

    @property
    def percent(self) -> int | None:
        return self.figure.percent


# --- the rows every rate is counted from ---------------------------------------------------------
def _enrolled(season_id: int):
    return select(Enrolment.child_id).where(Enrolment.season_id == season_id, Enrolment.status == "enrolled")


def _counted_sessions(season_id: int, today: date):
    """Conditions on ``Session`` for a counted session of the season."""
    mark = aliased(SessionAttendance)
    taken = select(mark.id).where(mark.session_id == Session.id).correlate(Session).exists()
    return and_(Session.season_id == season_id, Session.cancelled.is_(False), Session.on_date <= today, taken)


def _facts(season_id: int, today: date):
    """One row per (counted session, expected child): session_id, child_id, group_id, activity_id and
    the child's mark on it (NULL: not marked, which counts as missed)."""
    counted = _counted_sessions(season_id, today)
    members = (select(Session.id.label("session_id"), Enrolment.child_id.label("child_id"))
               .join(GroupMember, GroupMember.group_id == Session.group_id)
               .join(Enrolment, Enrolment.id == GroupMember.enrolment_id)
               .where(counted, Enrolment.season_id == season_id, Enrolment.status == "enrolled"))
    guests = (select(SessionAttendance.session_id.label("session_id"), SessionAttendance.child_id.label("child_id"))
              .join(Session, Session.id == SessionAttendance.session_id)
              .where(counted, SessionAttendance.child_id.in_(_enrolled(season_id))))
    pairs = union(members, guests).subquery("pairs")
    return (select(pairs.c.session_id, pairs.c.child_id, Session.group_id, Session.activity_id,
                   SessionAttendance.status)
            .join(Session, Session.id == pairs.c.session_id)
            .outerjoin(SessionAttendance, and_(SessionAttendance.session_id == pairs.c.session_id,
                                               SessionAttendance.child_id == pairs.c.child_id))
            .subquery("facts"))


def _sums(facts):
    attended = func.coalesce(func.sum(case((facts.c.status.in_(ATTENDED), 1), else_=0)), 0)
    excused = func.coalesce(func.sum(case((facts.c.status == "excused", 1), else_=0)), 0)
    return attended.label("attended"), (func.count() - excused).label("counted"), excused.label("excused")


def _rate(row) -> Rate:
    return Rate(int(row.attended or 0), int(row.counted or 0), int(row.excused or 0))


def season_rate(season: Season, today: date | None = None) -> Rate:
    """The season's attendance (one statement)."""
    facts = _facts(season.id, today or local_today())
    return _rate(db.session.execute(select(*_sums(facts)).select_from(facts)).one())


@dataclass
class Line:
    """A group's or activity's row: its id, name, and rate (track for activities)."""
    id: int
    name: str
    rate: Rate
    track: str = ""


def group_rates(season: Season, today: date | None = None) -> list[Line]:
    """Every group of the season with its rate (one statement); a group without counted sessions has
    an empty rate."""
    facts = _facts(season.id, today or local_today())
    per = select(facts.c.group_id, *_sums(facts)).group_by(facts.c.group_id).subquery()
    rows = db.session.execute(
        select(Group.id, Group.name, per.c.attended, per.c.counted, per.c.excused)
        .outerjoin(per, per.c.group_id == Group.id)
        .where(Group.season_id == season.id).order_by(Group.grade.is_(None), Group.grade, Group.name, Group.id)).all()
    return [Line(r.id, r.name, _rate(r)) for r in rows]


def activity_rates(season: Season, today: date | None = None) -> list[Line]:
    """Every activity of the season with its track and rate (one statement)."""
    facts = _facts(season.id, today or local_today())
    per = select(facts.c.activity_id, *_sums(facts)).group_by(facts.c.activity_id).subquery()
    rows = db.session.execute(
        select(Activity.id, Activity.name, Activity.track, per.c.attended, per.c.counted, per.c.excused)
        .outerjoin(per, per.c.activity_id == Activity.id)
        .where(Activity.season_id == season.id).order_by(Activity.track, Activity.name, Activity.id)).all()
    return [Line(r.id, r.name, _rate(r), r.track) for r in rows]


# --- per child ------------------------------------------------------------------------------------
def _child_sums(season_id: int, today: date):
    facts = _facts(season_id, today)
    return select(facts.c.child_id, *_sums(facts)).group_by(facts.c.child_id).subquery("per_child")


def children_by_rate(season: Season, sort: str = "rate", today: date | None = None):
    """The season's enrolled children ordered by rate (lowest first by default; children without a
    counted session last), as a select of ``Child`` for ``paginate``."""
    per = _child_sums(season.id, today or local_today())
    rate = per.c.attended * literal(1.0) / func.nullif(per.c.counted, 0)
    no_rate = case((rate.is_(None), 1), else_=0)
    order = {"rate": (no_rate, rate, per.c.counted.desc()),
             "rate_desc": (no_rate, rate.desc(), per.c.counted.desc()),
             "name": ()}[sort if sort in CHILD_SORTS else "rate"]
    return (select(Child).join(Enrolment, Enrolment.child_id == Child.id)
            .outerjoin(per, per.c.child_id == Child.id)
            .where(Enrolment.season_id == season.id, Enrolment.status == "enrolled")
            .order_by(*order, Child.name_pinyin, Child.id))


def child_rates(season: Season, child_ids, today: date | None = None) -> dict[int, Rate]:
    """The rates of these children (one statement); a child without a counted session has an empty one."""
    ids = list(child_ids)
    if not ids:
        return {}
    per = _child_sums(season.id, today or local_today())
    rates = {child_id: Rate() for child_id in ids}
    rates.update({r.child_id: _rate(r) for r in db.session.execute(select(per).where(per.c.child_id.in_(ids)))})
    return rates


def groups_of(season: Season, child_ids) -> dict[int, list[str]]:
    """The names of each child's groups in the season (one statement)."""
    ids = list(child_ids)
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    for child_id, name in db.session.execute(
            select(Enrolment.child_id, Group.name).join(GroupMember, GroupMember.enrolment_id == Enrolment.id)
            .join(Group, Group.id == GroupMember.group_id)
            .where(Enrolment.season_id == season.id, Enrolment.child_id.in_(ids))
            .order_by(Group.grade.is_(None), Group.grade, Group.name)):
        out.setdefault(child_id, []).append(name)
    return out


# --- interest participation -----------------------------------------------------------------------
def _interest_attended(season_id: int, today: date):
    """(child_id, activity_id) of every interest activity a child attended, each pair once."""
    return (select(SessionAttendance.child_id, Session.activity_id)
            .join(Session, Session.id == SessionAttendance.session_id)
            .join(Activity, Activity.id == Session.activity_id)
            .where(Session.season_id == season_id, Session.cancelled.is_(False), Session.on_date <= today,
                   Activity.track == INTEREST_TRACK, SessionAttendance.status.in_(ATTENDED))
            .distinct())


def _interest_counts(season_id: int, today: date):
    pairs = _interest_attended(season_id, today).subquery("interest_pairs")
    return (select(pairs.c.child_id, func.count().label("activities"))
            .group_by(pairs.c.child_id).subquery("interest_counts"))


def interest_figure(season: Season, target: int = INTEREST_TARGET, today: date | None = None) -> Figure:
    """Enrolled children who attended at least ``target`` distinct interest activities / enrolled
    (one statement)."""
    counts = _interest_counts(season.id, today or local_today())
    met, enrolled = db.session.execute(
        select(func.coalesce(func.sum(case((func.coalesce(counts.c.activities, 0) >= target, 1), else_=0)), 0),
               func.count())
        .select_from(Enrolment).outerjoin(counts, counts.c.child_id == Enrolment.child_id)
        .where(Enrolment.season_id == season.id, Enrolment.status == "enrolled")).one()
    return Figure(int(met or 0), int(enrolled or 0))


def below_interest_target(season: Season, target: int = INTEREST_TARGET, today: date | None = None):
    """The enrolled children who attended fewer than ``target`` distinct interest activities, fewest
    first, as a select of ``Child`` for ``paginate``."""
    counts = _interest_counts(season.id, today or local_today())
    attended = func.coalesce(counts.c.activities, 0)
    return (select(Child).join(Enrolment, Enrolment.child_id == Child.id)
            .outerjoin(counts, counts.c.child_id == Child.id)
            .where(Enrolment.season_id == season.id, Enrolment.status == "enrolled", attended < target)
            .order_by(attended, Child.name_pinyin, Child.id))


def interests_of(season: Season, child_ids, today: date | None = None) -> dict[int, list[str]]:
    """The names of the interest activities each child attended so far (one statement)."""
    ids = list(child_ids)
    if not ids:
        return {}
    pairs = _interest_attended(season.id, today or local_today()).where(
        SessionAttendance.child_id.in_(ids)).subquery()
    out: dict[int, list[str]] = {}
    for child_id, name in db.session.execute(
            select(pairs.c.child_id, Activity.name).join(Activity, Activity.id == pairs.c.activity_id)
            .order_by(Activity.name)):
        out.setdefault(child_id, []).append(name)
    return out


def guardians_of(child_ids) -> dict[int, list[Guardian]]:
    """Each child's guardians (name, relation, phone) for coordinators to call (one statement)."""
    ids = list(child_ids)
    if not ids:
        return {}
    out: dict[int, list[Guardian]] = {}
    for guardian in db.session.scalars(select(Guardian).where(Guardian.child_id.in_(ids)).order_by(Guardian.id)):
        out.setdefault(guardian.child_id, []).append(guardian)
    return out


# --- the season hub's panel -----------------------------------------------------------------------
@dataclass
class Outcomes:
    attendance: Figure
    homework: Figure
    interests: Figure
    target: int = INTEREST_TARGET


def season_outcomes(season: Season, today: date | None = None) -> Outcomes:
    """The three figures of the outcomes panel (four statements): attendance rate, children who
    finished all their homework / enrolled (``homework_outcomes``), interest target met / enrolled."""
    homework = homework_outcomes(season)
    return Outcomes(attendance=season_rate(season, today).figure,
                    homework=Figure(homework["finished"], homework["enrolled"]),
                    interests=interest_figure(season, today=today))
