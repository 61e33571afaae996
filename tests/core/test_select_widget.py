"""app.core.forms.Select writes each plain option itself (one f-string, not WTForms' html_params): the
HTML must be WTForms' own, byte for byte, for any value, label and selection."""
from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import Form, SelectField, widgets

from app.core.forms import Select

CHOICES = [(0, "—"), (17, "冬瓜海带汤"), (5, 'a "quoted" <b>&</b> dish'), ("lunch", "午餐"), ("x&y", "x<y>"),
           (None, "none"), (True, "yes"), (False, "no"), (-3, Markup("<i>kept</i>"))]


@pytest.mark.parametrize("value,label", CHOICES)
@pytest.mark.parametrize("selected", [True, False])
def test_an_option_is_written_as_wtforms_writes_it(value, label, selected):
    assert Select.render_option(value, label, selected) == widgets.Select.render_option(value, label, selected)
    assert (Select.render_option(value, label, selected, disabled=True, data_x="1")
            == widgets.Select.render_option(value, label, selected, disabled=True, data_x="1"))


@pytest.mark.parametrize("coerce,data", [(int, 5), (str, "lunch"), (str, None)])
def test_a_select_is_written_as_wtforms_writes_it(coerce, data):
    choices = [(v, label) for v, label in CHOICES if isinstance(v, int) and not isinstance(v, bool)] if coerce is int \
        else [(v, label) for v, label in CHOICES if isinstance(v, str)]

    class Ours(Form):
        field = SelectField(choices=choices, coerce=coerce, widget=Select(), validate_choice=False)

    class Theirs(Form):
        field = SelectField(choices=choices, coerce=coerce, validate_choice=False)

    assert Ours(data={"field": data}).field(id="x") == Theirs(data={"field": data}).field(id="x")
