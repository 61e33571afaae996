"""The date filters render exactly what Flask-Babel renders, in both languages."""
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from flask_babel import format_date as babel_date
from flask_babel import format_datetime as babel_datetime

from app.core.formats import format_date, format_datetime

DATETIMES = [datetime(2025, 7, 7, 0, 30), datetime(2025, 12, 31, 16, 5, 59), datetime(2024, 2, 29, 23, 59),
             datetime(1999, 1, 1, 12, 0)]
DATES = [date(2025, 7, 7), date(2000, 1, 1), *DATETIMES]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_date_filters_render_exactly_what_flask_babel_renders(app, locale):
    with app.test_request_context(), force_locale(locale):
        for fmt in ("short", "medium", "long", "full", "yyyy-MM-dd"):
            for value in DATES:
                assert format_date(value, fmt) == babel_date(value, fmt)
            for value in DATETIMES:
                assert format_datetime(value, fmt) == babel_datetime(value, fmt)
        assert format_date(DATES[0]) == babel_date(DATES[0], "medium")
        assert format_datetime(DATETIMES[0]) == babel_datetime(DATETIMES[0], "short")
        assert format_date(None) == format_datetime(None) == ""


def test_the_filters_follow_a_language_switch_within_a_request(app):
    template = app.jinja_env.from_string("{{ d|date('long') }} | {{ d|datetime }}")
    with app.test_request_context():
        with force_locale("en"):
            english = template.render(d=DATETIMES[1])
        with force_locale("zh_CN"):
            chinese = template.render(d=DATETIMES[1])
    # 16:05 UTC on 31 December is already 1 January in Shanghai
    assert english.startswith("January 1, 2026 | 1/1/26")
    assert chinese.startswith("2026年1月1日 | 2026/1/1")


def test_a_date_already_shown_follows_the_time_zone_and_the_language(app):
    """Each date and time is worked out once and kept: what is kept belongs to one language and one
    time zone, so the same value shown again under another of either is worked out again."""
    import pytz
    from flask_babel import get_timezone

    value = datetime(2025, 12, 31, 16, 5)
    with app.test_request_context(), force_locale("en"):
        get_timezone()  # Flask-Babel's choice for this request (Asia/Shanghai)
        shanghai = (format_datetime(value, "medium"), format_date(value, "long"))
        assert shanghai == (babel_datetime(value, "medium"), babel_date(value, "long"))
        assert shanghai[1] == "January 1, 2026"
        from flask import g

        g._flask_babel.babel_tzinfo = pytz.timezone("Europe/London")  # another zone, same value
        london = (format_datetime(value, "medium"), format_date(value, "long"))
        assert london == (babel_datetime(value, "medium"), babel_date(value, "long"))
        assert london[1] == "December 31, 2025" and london[0] != shanghai[0]
        del g._flask_babel.babel_tzinfo  # the app's zone again (g outlives the request in tests)
    with app.test_request_context(), force_locale("zh_CN"):
        assert format_date(value, "long") == "2026年1月1日"
        assert format_datetime(value, "medium") == babel_datetime(value, "medium")
