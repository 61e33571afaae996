from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core.timeutil import to_local
from app.core.urls import slot_url

ALERT_KIND_LABELS = {
    "not_arrived": _l("Not arrived"),
    "not_picked_up": _l("Not picked up"),
    "pickup_exception": _l("Pickup exception"),
    "allergy": _l("Allergy on today's roster"),
}
ALERT_STATE_LABELS = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged"),
    "resolved": _l("Resolved"),
}
INCIDENT_KIND_LABELS = {
    "injury": _l("Injury"),
    "illness": _l("Illness"),
    "conflict": _l("Conflict"),
    "hazard": _l("Safety hazard"),
    "suspected_harm": _l("Suspected harm"),
}
DEPARTURE_KIND_LABELS = {
    "guardian": _l("Guardian"),
    "pickup": _l("Authorised pickup person"),
    "alone": _l("Went home alone"),
    "exception": _l("Exception"),
}
CHANGE_KIND_LABELS = {
    "arrival": _l("Arrival"),
    "departure": _l("Departure"),
    "excuse": _l("Excused absence"),
    "paper": _l("From the paper sheet"),
}
ATTENDANCE_MARK_LABELS = {
    "present": _l("Present"),
    "late": _l("Late"),
    "excused": _l("Excused"),
    "absent": _l("Absent"),
}


def time_text(value) -> str:
    """A stored (naive UTC) time as HH:MM in Asia/Shanghai, "" for none (the ``hm`` filter; ``%`` rather
    than ``strftime``, a few times cheaper)."""
    if not value:
        return ""
    local = to_local(value)
    return "%02d:%02d" % (local.hour, local.minute)


class TimeTexts(dict):
    """``time_text`` of each distinct value, worked out on its first lookup (``texts[value]``) and then
    read back: a page of rows shows the same few times (a morning's arrivals, an evening's pickups) many
    times. One per page, not kept between requests."""

    def __missing__(self, value) -> str:
        text = self[value] = time_text(value)
        return text


class DrawnOnce(dict):
    """What ``draw(value)`` draws (a macro's markup) for each distinct value, drawn on its first lookup
    (``drawn[value]``) and then read back: a table shows the same few alerts on many rows. ``value`` must
    be hashable and hold everything the drawing shows. One per render, not kept between requests."""

    def __init__(self, draw) -> None:
        super().__init__()
        self.draw = draw

    def __missing__(self, value):
        html = self[value] = self.draw(value)
        return html


# Where a row's id goes in a piece drawn once (the day table's tap forms): private-use characters, which
# no label, translation, URL or token contains (and the pieces hold no one's data).
ID_SLOT = "\ue000id\ue000"


def per_id(html):
    """``html``, drawn once with ``ID_SLOT`` wherever a row's id goes (its URLs by
    ``app.core.urls.slot_url``, its elements' ids), as a function of the id: ``per_id(html)(7)`` is the
    piece for row 7. Only an integer is put in (``int(id)``: digits, nothing to escape)."""
    pieces = str(html).split(ID_SLOT)

    def of(id) -> Markup:
        return Markup(str(int(id)).join(pieces))

    return of


def template_labels() -> dict:
    """The labels the day's templates read (the daily blueprint's pages and a coordinator's /home)."""
    return dict(alert_kind_labels=ALERT_KIND_LABELS, alert_state_labels=ALERT_STATE_LABELS,
                incident_kind_labels=INCIDENT_KIND_LABELS, departure_kind_labels=DEPARTURE_KIND_LABELS,
                change_kind_labels=CHANGE_KIND_LABELS,
                # the day table's helpers: each distinct alert or message drawn once, the tap forms per id
                drawn_once=DrawnOnce, per_id=per_id, id_slot=ID_SLOT, slot_url=slot_url)


from app.core.audit import register_events  # noqa: E402

register_events({
    "daily.sheet": _l("Printed the daily sign-in sheet with guardian phones"),
    "daily.pickup_exception": _l("Recorded a pickup by a person not on the list"),
    "incident.recorded": _l("Recorded an incident"),
    "incident.addendum": _l("Added an addendum to an incident"),
    "incident.reported": _l("Recorded that suspected harm was reported"),
})
