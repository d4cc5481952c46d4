"""Where a self-diagnosis sits in a larger journey, told by the app that runs that journey.

The questionnaire's pages do not know the enrolment (an app above this one): the enrolment
registers a provider that says, for a diagnosis, which step indicator to show, where "Enregistrer
et reprendre plus tard" leads, and where the journey continues after the results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from core.steps import StepIndicator

from .models import Diagnosis


@dataclass(frozen=True)
class DiagnosisJourney:
    steps: StepIndicator | None  # the journey's step ("Étape 3 sur 6 — Autodiagnostic")
    exit_url: str  # "Enregistrer et reprendre plus tard" leads here
    exit_label: str  # "votre espace", "le dossier de votre entreprise"
    next_url: str = ""  # after the results, the journey goes on here
    next_label: str = ""

    def step(self, detail: str) -> StepIndicator | None:
        return self.steps.with_detail(detail) if self.steps else None


Provider = Callable[[Diagnosis, object], DiagnosisJourney | None]
_providers: list[Provider] = []


def register_diagnosis_journey(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def diagnosis_journey(*, diagnosis: Diagnosis, user) -> DiagnosisJourney:
    for provider in _providers:
        journey = provider(diagnosis, user)
        if journey is not None:
            return journey
    return DiagnosisJourney(steps=None, exit_url=reverse("core:home"), exit_label=_("votre espace"))
