"""The closing report of a closed mission: diagnosis before/after, indicators, half-days."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from agreements.closing_report import closing_report_context, closing_report_render
from consultants import services
from diagnostics.models import Diagnosis, Questionnaire, Theme
from tests.consultants.factories import running_mission, service_story, staff_of

pytestmark = pytest.mark.django_db


def _diagnosis(company, *, enrolment=None, purpose, scores, overall, days_ago):
    return Diagnosis.objects.create(
        company=company,
        enrolment=enrolment,
        purpose=purpose,
        questionnaire=Questionnaire.objects.get(is_active=True),
        state=Diagnosis.State.SUBMITTED,
        theme_scores=scores,
        overall_score=Decimal(overall),
        submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@service_story
def _closed_mission():
    mission = running_mission(started_days_ago=40)
    enrolment, consultant = mission.enrolment, mission.consultant.user
    codes = list(Theme.objects.order_by("position").values_list("code", flat=True))
    before = dict.fromkeys(codes, "70.0") | {"stocks": "25.0"}
    after = dict.fromkeys(codes, "75.0") | {"stocks": "62.5"}
    # the enrolment's own self-diagnosis (submitted on the way to validation), with these scores
    Diagnosis.objects.filter(enrolment=enrolment, purpose="enrolment").update(
        theme_scores=before, overall_score=Decimal("65.0")
    )
    today = timezone.localdate()
    for days, subject in [(35, "Cartographie des flux"), (20, "Kanban atelier")]:
        services.half_day_log(
            mission=mission,
            by=consultant,
            date=today - dt.timedelta(days=days),
            subject=subject,
            attendees="Karim Pilote1",
        )
    plan = services.action_plan_create(mission=mission, by=consultant, title="Réduire les stocks")
    indicator = services.indicator_create(
        plan=plan,
        by=consultant,
        name="Valeur du stock",
        unit="k€",
        baseline=Decimal("480"),
        target=Decimal("360"),
    )
    services.measurement_record(
        indicator=indicator, by=consultant, date=today - dt.timedelta(days=10), value=Decimal("395")
    )
    services.mission_write_summary(mission=mission, by=consultant, summary="Stocks maîtrisés.")
    services.mission_close(mission=mission, by=staff_of(enrolment))
    _diagnosis(enrolment.company, purpose="closing", scores=after, overall="73.8", days_ago=0)
    enrolment.refresh_from_db()
    return enrolment


def test_closing_report_shows_scores_indicators_and_half_days():
    enrolment = _closed_mission()

    pdf = PdfReader(io.BytesIO(closing_report_render(enrolment=enrolment)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    flat = " ".join(text.split())

    # diagnosis before / after, per theme
    assert "Autodiagnostic avant / après" in flat
    assert "Stocks 25,0 % 62,5 % +37,5 pts" in flat, flat
    assert "65,0 % de maturité" in flat and "73,8 % de maturité" in flat
    # indicators: name, baseline, target, latest measurement
    assert "Valeur du stock (k€) 480,00 360,00 395,00" in flat, flat
    # half-days: count against allowed, and the list
    allowed = enrolment.tariff.half_days
    assert f"2 demi-journées réalisées sur {allowed} prévues" in flat
    assert "Cartographie des flux" in flat and "Kanban atelier" in flat


def test_closing_report_charts_are_server_rendered_svg():
    enrolment = _closed_mission()
    context = closing_report_context(enrolment=enrolment)
    assert context["diagnosis_chart_svg"].lstrip().startswith("<svg")
    assert "<script" not in context["diagnosis_chart_svg"]
    assert "À l&#x27;inscription" in context["diagnosis_chart_svg"]  # the report's own legend
    assert "À la clôture" in context["diagnosis_chart_svg"]
    assert len(context["indicator_charts"]) == 1
    assert "<svg" in context["indicator_charts"][0]
