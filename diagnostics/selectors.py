"""Reads about diagnoses shared by pages (owner results, relay detail, PDFs)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Prefetch
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.reference import reference_rows
from core.scoping import get_visible_or_404

from .charts import profile_radar
from .models import Choice, Diagnosis, Question, Theme
from .scoring import CIBLEE, weakest_themes
from .services import scores_as_decimal


def diagnosis_for_user(*, user, pk: int) -> Diagnosis:
    return get_visible_or_404(
        Diagnosis.objects.select_related("questionnaire", "company", "enrolment"), user, pk=pk
    )


def all_themes() -> list[Theme]:
    """Every theme in its order (reference data, kept in the cache: `core.reference`)."""
    return sorted(reference_rows(Theme).values(), key=lambda t: (t.position, t.name))


def questions_by_theme(*, diagnosis: Diagnosis) -> list[tuple[Theme, list[Question]]]:
    questions = (
        Question.objects.filter(questionnaire_id=diagnosis.questionnaire_id)
        .select_related("theme")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("value")))
        .order_by("theme__position", "position")
    )
    grouped: dict[int, tuple[Theme, list[Question]]] = {}
    for q in questions:
        grouped.setdefault(q.theme_id, (q.theme, []))[1].append(q)
    return list(grouped.values())


@dataclass(frozen=True)
class ThemeProgress:
    """One theme of a diagnosis: its place, its questions and how many are answered."""

    number: int  # 1-based, in the questionnaire's order
    theme_id: int
    name: str
    codes: tuple[str, ...]
    answered: int

    @property
    def total(self) -> int:
        return len(self.codes)

    @property
    def complete(self) -> bool:
        return self.answered == self.total


@dataclass(frozen=True)
class ResumePoint:
    answered: int
    total: int
    theme: int  # the theme to resume at (1-based): the first one not complete
    themes: int


def diagnosis_themes(*, diagnosis: Diagnosis) -> list[ThemeProgress]:
    """The diagnosis's themes in order, with their answered counts (one light query)."""
    rows = (
        Question.objects.filter(questionnaire_id=diagnosis.questionnaire_id)
        .order_by("theme__position", "theme_id", "position")
        .values_list("code", "theme_id", "theme__name")
    )
    grouped: dict[int, tuple[str, list[str]]] = {}
    for code, theme_id, name in rows:
        grouped.setdefault(theme_id, (name, []))[1].append(code)
    answers = diagnosis.answers or {}
    return [
        ThemeProgress(
            number=i,
            theme_id=theme_id,
            name=name,
            codes=tuple(codes),
            answered=sum(1 for c in codes if c in answers),
        )
        for i, (theme_id, (name, codes)) in enumerate(grouped.items(), start=1)
    ]


def diagnosis_resume_point(*, diagnosis: Diagnosis) -> ResumePoint:
    """Where the owner resumes a draft: the first theme not complete (the last if all are)."""
    themes = diagnosis_themes(diagnosis=diagnosis)
    first_open = next((t.number for t in themes if not t.complete), len(themes) or 1)
    return ResumePoint(
        answered=sum(t.answered for t in themes),
        total=sum(t.total for t in themes),
        theme=first_open,
        themes=len(themes),
    )


@dataclass
class Profile:
    diagnosis: Diagnosis
    rows: list[dict]  # theme code, name, score, previous, delta, score_text, previous_text
    overall: Decimal | None
    weakest: list[dict]
    recommendation: dict
    previous: Diagnosis | None
    svg: str


def diagnosis_profile(*, diagnosis: Diagnosis, previous: Diagnosis | None = None) -> Profile:
    """Scores per theme (with the earlier diagnosis if any), three weakest, chart, recommendation."""
    themes = [t for t in all_themes() if t.code in diagnosis.theme_scores]
    names = {t.code: t.name for t in themes}
    scores = scores_as_decimal(diagnosis)
    before = scores_as_decimal(previous) if previous else None
    rows = []
    for t in themes:
        prev = before.get(t.code) if before else None
        rows.append(
            {
                "code": t.code,
                "name": t.name,
                "score": scores[t.code],
                "previous": prev,
                "delta": (scores[t.code] - prev) if prev is not None else None,
                # shown two or three times (chart's bars, table): formatted once
                "score_text": floatformat(scores[t.code], 1),
                "previous_text": floatformat(prev, 1) if prev is not None else "",
            }
        )
    weakest = [
        {"code": c, "name": names[c], "score": scores[c]}
        for c in weakest_themes(scores, order=[t.code for t in themes], n=3)
    ]
    recommendation = dict(diagnosis.recommendation or {})
    recommendation["targeted"] = recommendation.get("offer") == CIBLEE
    if recommendation.get("focus_theme"):
        recommendation["focus_name"] = names.get(recommendation["focus_theme"], "")
    svg = _radar(
        diagnosis=diagnosis,
        previous=previous,
        themes=[(t.code, t.name) for t in themes],
        scores=scores,
        before=before,
    )
    return Profile(
        diagnosis=diagnosis,
        rows=rows,
        overall=diagnosis.overall_score,
        weakest=weakest,
        recommendation=recommendation,
        previous=previous,
        svg=svg,
    )


RADAR_CACHE_SECONDS = 30 * 24 * 3600
#: Bumped when the chart's drawing changes, so no cached chart of the old drawing is served.
RADAR_DRAWING = "d2"


def _labels(diagnosis, previous) -> dict:
    """The series named for what they show: each diagnosis by its date."""

    def named(d) -> str | None:
        if d is None or d.submitted_at is None:
            return None
        return _("Autodiagnostic du %(date)s") % {"date": date_format(d.submitted_at, "d/m/Y")}

    return {"previous_label": named(previous), "current_label": named(diagnosis)}


def _radar(*, diagnosis, previous, themes, scores, before) -> SafeString:
    """The profile radar; cached when both diagnoses are submitted (they never change then).

    The key names the diagnoses, the questionnaire version and the language, plus a digest of
    what is drawn (theme names can be renamed): a stale chart cannot be served.
    """
    if diagnosis.submitted_at is None or (previous is not None and previous.submitted_at is None):
        return profile_radar(
            themes=themes, scores=scores, previous=before, **_labels(diagnosis, previous)
        )
    drawn = repr((themes, sorted(scores.items()), sorted(before.items()) if before else None))
    digest = hashlib.sha256(drawn.encode()).hexdigest()[:16]
    previous_pk = previous.pk if previous else 0
    key = (
        f"diagnostics:radar:{diagnosis.pk}:{previous_pk}:{diagnosis.questionnaire_id}:"
        f"{get_language()}:{RADAR_DRAWING}:{digest}"
    )
    svg = cache.get(key)
    if svg is None:
        svg = profile_radar(
            themes=themes, scores=scores, previous=before, **_labels(diagnosis, previous)
        )
        cache.set(key, str(svg), RADAR_CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308 — our own chart, escaped when it was drawn


def previous_diagnosis(*, diagnosis: Diagnosis) -> Diagnosis | None:
    if diagnosis.submitted_at is None:
        return None
    return (
        Diagnosis.objects.filter(
            company_id=diagnosis.company_id,
            state=Diagnosis.State.SUBMITTED,
            submitted_at__lt=diagnosis.submitted_at,
        )
        .order_by("-submitted_at")
        .first()
    )
