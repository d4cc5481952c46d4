"""Personal data held by diagnostics: the self-diagnoses a person answered or their company has.

Registered with `core.personal_data` from `DiagnosticsConfig.ready()`. Answers are the
company's; the person's link to them (the respondent) is a pseudonymous account id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from core.personal_data import Activity, Person, iso, register_personal_data

from .models import Diagnosis


def export(person: Person) -> dict[str, Any]:
    user = person.user
    if user is None:
        return {"diagnoses": []}
    diagnoses = (
        Diagnosis.objects.filter(Q(company__owner=user) | Q(respondent=user))
        .select_related("company", "questionnaire")
        .distinct()
        .order_by("started_at", "pk")
    )
    return {
        "diagnoses": [
            {
                "id": d.pk,
                "company": d.company.name,
                "questionnaire_version": d.questionnaire.version,
                "purpose": d.purpose,
                "state": d.state,
                "answered_by_you": d.respondent_id == user.pk,
                "answers": d.answers,
                "theme_scores": d.theme_scores,
                "overall_score": str(d.overall_score) if d.overall_score is not None else None,
                "recommendation": d.recommendation,
                "started_at": iso(d.started_at),
                "submitted_at": iso(d.submitted_at),
            }
            for d in diagnoses
        ]
    }


def activity() -> Iterable[Activity]:
    for email, when in Diagnosis.objects.filter(respondent__isnull=False).values_list(
        "respondent__email", "updated_at"
    ):
        yield email, when, False


def register() -> None:
    register_personal_data(key="diagnostics", export=export, activity=activity, order=15)
