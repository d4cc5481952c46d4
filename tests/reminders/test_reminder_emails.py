"""What a reminder's e-mail says: the greeting, the rule's paragraphs with French dates and
amounts, the invitation to act and the footer, in plain text and in escaped HTML."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import translation

from core.reminders import DueItem, get_rule, reminder_email

PARIS = ZoneInfo("Europe/Paris")
OWNER = SimpleNamespace(
    pk=1, email="j.lefevre@exemple.fr", get_full_name=lambda: "Jérôme Lefèvre", role="owner"
)
COMPANY = SimpleNamespace(name="Dupré & Fils <SARL>")


def _render(code: str, **context):
    item = DueItem(obj=None, recipient=OWNER, due_date=dt.date(2026, 12, 4), context=context)
    return get_rule(code).render(item)


def test_the_text_greets_says_what_is_due_and_ends_with_the_footer():
    _subject, text, _html = _render("diagnosis_draft", company=COMPANY)
    assert text.startswith("Bonjour Jérôme Lefèvre,\n\nL'inscription de Dupré & Fils <SARL> au")
    assert "l'autodiagnostic n'est pas encore terminé" in text
    assert text.endswith(
        "Connectez-vous au portail Performance PME pour agir.\n\n--\nVous pouvez désactiver "
        "les relances facultatives ou choisir un récapitulatif hebdomadaire depuis votre profil.\n"
    )


def test_the_html_escapes_names_and_keeps_the_paragraphs():
    _subject, _text, html = _render("diagnosis_draft", company=COMPANY)
    assert '<html lang="fr">' in html
    assert "<p>Bonjour Jérôme Lefèvre,</p>" in html
    assert "Dupré &amp; Fils &lt;SARL&gt;" in html
    assert "<SARL>" not in html
    assert "<p>Connectez-vous au portail Performance PME pour agir.</p>" in html


def test_dates_amounts_and_hours_are_written_the_french_way():
    instalment = SimpleNamespace(
        get_kind_display=lambda: "solde", amount=Decimal("12500"), due_on=dt.date(2026, 11, 4)
    )
    _s, text, _h = _render("payment_overdue", company=COMPANY, instalment=instalment, days=30)
    assert "(12\u202f500,00\u00a0€), exigible le 4 novembre 2026," in text
    assert "Région 30 jours plus tard." in text
    agreement = SimpleNamespace(
        version=2, created_at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    )
    _s, text, _h = _render("agreement_unsigned", company=COMPANY, agreement=agreement)
    assert "(version 2, émise le 1 décembre 2026)" in text  # midnight passed in Paris
    seminar = SimpleNamespace(
        group=SimpleNamespace(name="Groupe Lyon 3"),
        starts_at=dt.datetime(2026, 12, 7, 14, 30, tzinfo=PARIS),
        place="CCI de Lyon",
        notes="Apporter vos indicateurs.\nParking <rue Servient>.",
    )
    _s, text, html = _render(
        "seminar_soon",
        company=COMPANY,
        seminar=seminar,
        seminar_title="Lean et flux",
        seminar_day="07/12/2026",
    )
    assert "a lieu le lundi 7 décembre 2026 à 14h30, CCI de Lyon." in text
    assert "Apporter vos indicateurs.\nParking <rue Servient>.\n\nNous comptons sur" in text
    assert "<p>Apporter vos indicateurs.<br>Parking &lt;rue Servient&gt;.</p>" in html


def test_a_list_follows_the_paragraphs_in_text_and_html():
    text, html = reminder_email(
        recipient=OWNER, paragraphs=["Voici :"], items=["08/03/2027 : A & B", "09/03/2027 : C"]
    )
    assert "Voici :\n\n- 08/03/2027 : A & B\n- 09/03/2027 : C\n\nConnectez-vous" in text
    assert "<ul><li>08/03/2027 : A &amp; B</li><li>09/03/2027 : C</li></ul>" in html


def test_an_english_reader_gets_the_english_catalogue():
    with translation.override("en"):
        _subject, text, html = _render("diagnosis_draft", company=COMPANY)
    assert text.startswith("Hello Jérôme Lefèvre,")
    assert '<html lang="en">' in html
