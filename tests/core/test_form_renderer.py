"""The project's form renderer writes <select> in Python, with Django's exact HTML."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test.signals import template_rendered
from django.utils.safestring import mark_safe

from core.form_renderer import FormRenderer
from core.models import Relay

CHOICES = [
    ("", "---"),
    ("x&y", "X <b>"),
    ('G"r', [("1", "un"), ("2", mark_safe("<i>deux</i>"))]),
]


class SampleForm(forms.Form):
    grouped = forms.ChoiceField(choices=CHOICES, initial="2")
    several = forms.MultipleChoiceField(choices=[(1, "a"), (2, "b")], initial=[1], required=False)
    relay = forms.ModelChoiceField(
        Relay.objects.order_by("pk"),
        widget=forms.Select(attrs={"class": "form-select", "data-x": True, "hidden": False}),
    )
    answer = forms.NullBooleanField()


class RadioForm(forms.Form):
    choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)


def test_the_project_uses_it():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["grouped", "several", "relay", "answer"])
def test_same_html_as_django_templates(field):
    Relay.objects.create(name="Relais <A&B>", slug="relais-a-b")
    expected = str(SampleForm(renderer=DjangoTemplates(), initial={"relay": None})[field])
    assert str(SampleForm(renderer=FormRenderer())[field]) == expected


@pytest.mark.django_db
def test_options_are_not_rendered_by_templates():
    for i in range(30):
        Relay.objects.create(name=f"Relais {i}", slug=f"relais-{i}")
    used = []

    def record(sender, template, **kwargs):
        used.append(template.name)

    template_rendered.connect(record)
    try:
        html = str(SampleForm(renderer=FormRenderer())["relay"])
        radio = str(RadioForm(renderer=FormRenderer())["choice"])
    finally:
        template_rendered.disconnect(record)
    assert html.count("<option") == Relay.objects.count() + 1  # with the empty choice
    assert "django/forms/widgets/select_option.html" not in used
    # Other widgets keep Django's templates.
    assert 'type="radio"' in radio
    assert "django/forms/widgets/radio.html" in used
