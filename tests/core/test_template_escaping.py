"""The app's own Jinja gettext marks the catalogue's text safe but escapes every value put into it:
a name with markup stays text, in both languages and in every gettext form."""
from __future__ import annotations

import pytest
from flask import render_template_string

HOSTILE = '<script>alert("x")</script>'
TEMPLATES = [
    '{{ _("Welcome, %(name)s. Your password is set.", name=n) }}',
    '{{ ngettext("%(num)d children saved.", "%(num)d children saved.", 2) }} {{ _("%(name)s has been given the free place.", name=n) }}',
    '{{ pgettext("x", "%(name)s", name=n) }}',
    '{{ npgettext("x", "%(name)s", "%(name)s", 2, name=n) }}',
]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_values_in_translated_text_are_escaped(app, locale, source):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        html = render_template_string(source, n=HOSTILE)
    assert "<script>" not in html and "&lt;script&gt;" in html
