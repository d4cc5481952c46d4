"""The project's form renderer writes <select> and <input> in Python, with Django's exact HTML;
model choices are read in one query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.core.cache import caches
from django.db import connection
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe

from core.form_renderer import FormRenderer
from core.forms import ModelChoiceField
from core.models import Departement, Relay

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
    text = forms.CharField(initial='Dupré & "Fils" <SARL>', widget=forms.TextInput(attrs={"x": 1}))
    day = forms.DateField(
        initial=dt.date(2026, 12, 4), widget=forms.DateInput(attrs={"type": "date"})
    )
    number = forms.DecimalField(initial=Decimal("2440.50"), required=False)
    email = forms.EmailField(required=False)
    hidden = forms.CharField(initial="h'1", widget=forms.HiddenInput)
    agreed = forms.BooleanField(initial=True, required=False)
    states = forms.MultipleChoiceField(
        choices=[("a", "A & co"), ("b", "B")],
        initial=["b"],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )


class RadioForm(forms.Form):
    choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)


def test_the_project_uses_it():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field",
    ["grouped", "several", "relay", "answer", "text", "day", "number", "email", "hidden", "agreed"],
)
def test_same_html_as_django_templates(field):
    Relay.objects.create(name="Relais <A&B>", slug="relais-a-b")
    expected = str(SampleForm(renderer=DjangoTemplates(), initial={"relay": None})[field])
    assert str(SampleForm(renderer=FormRenderer())[field]) == expected


def test_a_checkbox_of_a_list_is_written_as_django_writes_it():
    """The relay list's state filter writes each checkbox with `tag()`, its label apart."""
    django_states = SampleForm(renderer=DjangoTemplates())["states"]
    ours = SampleForm(renderer=FormRenderer())["states"]
    assert [c.tag() for c in ours] == [c.tag() for c in django_states]
    assert "checked" in ours[1].tag() and 'value="a"' in ours[0].tag()
    assert str(ours) == str(django_states)  # the labelled list keeps Django's templates


@pytest.mark.django_db
def test_model_choices_are_read_in_one_plain_query():
    """Django reads a select's rows through a server-side cursor (DECLARE … WITH HOLD, FETCH,
    CLOSE): three round trips a select on PostgreSQL; ours reads them in one query."""
    for i in range(3):
        Relay.objects.create(name=f"Relais {i}", slug=f"relais-{i}")

    class RelayForm(forms.Form):
        relay = ModelChoiceField(Relay.objects.order_by("name"), empty_label="Toutes")

    expected = str(SampleForm(renderer=DjangoTemplates(), initial={"relay": None})["relay"])
    with CaptureQueriesContext(connection) as queries:
        html = str(RelayForm()["relay"])
    assert len(queries) == 1
    assert "DECLARE" not in queries[0]["sql"]
    assert html.count("<option") == Relay.objects.count() + 1 and ">Toutes</option>" in html
    assert [line for line in html.splitlines() if "Relais" in line] == [
        line for line in expected.splitlines() if "Relais" in line
    ]


@pytest.mark.django_db
def test_a_label_field_gives_the_same_select_from_pairs():
    """`label_field` (the field `str()` shows) reads (id, label) pairs: the same select."""
    chosen = Relay.objects.create(name="Relais <A&B>", slug="relais-a-b")

    class RelayForm(forms.Form):
        relay = ModelChoiceField(Relay.objects.order_by("pk"), label_field="name")

    class ReferenceForm(forms.Form):
        relay = forms.ModelChoiceField(Relay.objects.order_by("pk"))

    with CaptureQueriesContext(connection) as queries:
        html = str(RelayForm(initial={"relay": chosen.pk})["relay"])
    assert len(queries) == 1 and '"core_relay"."slug"' not in queries[0]["sql"]
    assert html == str(ReferenceForm(initial={"relay": chosen.pk})["relay"])
    assert f'<option value="{chosen.pk}" selected>Relais &lt;A&amp;B&gt;</option>' in html
    form = RelayForm({"relay": str(chosen.pk)})
    assert form.is_valid() and form.cleaned_data["relay"] == chosen


@pytest.mark.django_db
def test_reference_choices_are_kept_until_a_row_changes(settings):
    """A select over reference data (`reference`) reads its options once; a new relay is
    among them at the next page, and a form still checks the chosen value in the database."""
    settings.REFERENCE_CACHE_SECONDS = 60
    caches["reference"].clear()

    class RelayForm(forms.Form):
        relay = ModelChoiceField(
            Relay.objects.order_by("name"), label_field="name", reference="test-relays"
        )

    class DepartementForm(forms.Form):  # no label field: the labels are `str()`
        departement = ModelChoiceField(Departement.objects.all(), reference="test-departements")

    with CaptureQueriesContext(connection) as queries:
        first = str(RelayForm()["relay"])
        str(DepartementForm()["departement"])
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        assert str(RelayForm()["relay"]) == first
        departements = str(DepartementForm()["departement"])
    assert len(queries) == 0
    assert ">01 Ain</option>" in departements
    new = Relay.objects.create(name="Relais ajouté", slug="relais-ajoute")
    assert f'<option value="{new.pk}">Relais ajouté</option>' in str(RelayForm()["relay"])
    form = RelayForm({"relay": str(new.pk)})
    assert form.is_valid() and form.cleaned_data["relay"] == new
    new.delete()
    assert "Relais ajouté" not in str(RelayForm()["relay"])
    assert first.count("<option") == Relay.objects.count() + 1
    caches["reference"].clear()


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
