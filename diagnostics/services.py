"""Writes on the self-diagnosis: questionnaire versions and a company's diagnoses."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.outbox import outbox_publish

from . import scoring
from .models import Choice, Diagnosis, Question, Questionnaire, Theme

QUESTIONNAIRE_V1 = Path(__file__).resolve().parent / "data" / "questionnaire_v1.json"


def questionnaire_import(
    *,
    data: dict,
    activate: bool = True,
    questionnaire_model=Questionnaire,
    question_model=Question,
    choice_model=Choice,
    theme_model=Theme,
):
    """Load a questionnaire version from its JSON form (idempotent on the version number).

    The model classes can be passed in, so a data migration uses its historical models.
    """
    existing = questionnaire_model.objects.filter(version=data["version"]).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        if activate:
            questionnaire_model.objects.filter(is_active=True).update(is_active=False)
        questionnaire = questionnaire_model.objects.create(
            version=data["version"],
            title=data["title"],
            introduction=data.get("introduction", ""),
            scale=data["scale"],
            is_active=activate,
        )
        for t in data["themes"]:
            theme, _created = theme_model.objects.get_or_create(
                code=t["code"], defaults={"name": t["name"], "position": t.get("position", 0)}
            )
            for position, q in enumerate(t["questions"], start=1):
                question = question_model.objects.create(
                    questionnaire=questionnaire,
                    theme=theme,
                    code=q["code"],
                    text=q["text"],
                    help_text=q.get("help", ""),
                    position=position,
                )
                choice_model.objects.bulk_create(
                    choice_model(question=question, value=c["value"], label=c["label"])
                    for c in q["choices"]
                )
    return questionnaire


def questionnaire_load_default() -> Questionnaire:
    return questionnaire_import(data=json.loads(QUESTIONNAIRE_V1.read_text(encoding="utf-8")))


def questionnaire_new_version(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a version into a new, inactive one that staff may edit (answered ones never change)."""
    with transaction.atomic():
        number = (Questionnaire.objects.aggregate(m=Max("version"))["m"] or 0) + 1
        copy = Questionnaire.objects.create(
            version=number,
            title=questionnaire.title,
            introduction=questionnaire.introduction,
            scale=questionnaire.scale,
            is_active=False,
        )
        for question in questionnaire.questions.prefetch_related("choices"):
            new_q = Question.objects.create(
                questionnaire=copy,
                theme_id=question.theme_id,
                code=question.code,
                text=question.text,
                help_text=question.help_text,
                position=question.position,
            )
            Choice.objects.bulk_create(
                Choice(question=new_q, value=c.value, label=c.label) for c in question.choices.all()
            )
    return copy


def questionnaire_activate(*, questionnaire: Questionnaire) -> Questionnaire:
    with transaction.atomic():
        Questionnaire.objects.filter(is_active=True).exclude(pk=questionnaire.pk).update(
            is_active=False
        )
        questionnaire.is_active = True
        questionnaire.save(update_fields=["is_active"])
    return questionnaire


def active_questionnaire() -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(is_active=True).first()
    if questionnaire is None:
        questionnaire = questionnaire_load_default()
    return questionnaire


def diagnosis_start(*, company, by, enrolment=None, purpose: str = Diagnosis.Purpose.ENROLMENT):
    """The company's draft diagnosis (resumed if one exists), on the questionnaire in service."""
    draft = Diagnosis.objects.filter(company=company, state=Diagnosis.State.DRAFT).first()
    if draft is not None:
        return draft
    return Diagnosis.objects.create(
        company=company,
        enrolment=enrolment,
        purpose=purpose,
        questionnaire=active_questionnaire(),
        respondent=by,
    )


def _valid_levels(questionnaire: Questionnaire) -> dict[str, set[int]]:
    levels: dict[str, set[int]] = {}
    for code, value in Choice.objects.filter(question__questionnaire=questionnaire).values_list(
        "question__code", "value"
    ):
        levels.setdefault(code, set()).add(value)
    return levels


def diagnosis_save_answers(
    *, diagnosis: Diagnosis, answers: dict, expected_version: int | None = None
) -> Diagnosis:
    """Merge answers into a draft (autosave). Unknown questions or levels are refused."""
    with transaction.atomic():
        locked = Diagnosis.objects.select_for_update().filter(pk=diagnosis.pk).first()
        if locked.state != Diagnosis.State.DRAFT:
            raise BusinessRuleError(
                _("Cet autodiagnostic a déjà été soumis : ses réponses ne peuvent plus changer.")
            )
        if expected_version is not None and expected_version != locked.version:
            raise BusinessRuleError(
                _(
                    "Ces réponses ont été modifiées entre-temps (dans un autre onglet ?). "
                    "Rechargez la page pour voir la dernière version."
                )
            )
        levels = _valid_levels(locked.questionnaire)
        merged = dict(locked.answers)
        for code, value in answers.items():
            if value in (None, ""):
                continue
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = -1
            if code not in levels or value not in levels[code]:
                raise BusinessRuleError(
                    _("Réponse invalide à la question %(code)s.") % {"code": code}
                )
            merged[code] = value
        locked.answers = merged
        locked.version += 1
        locked.save(update_fields=["answers", "version", "updated_at"])
    diagnosis.refresh_from_db()
    return diagnosis


def diagnosis_results(*, diagnosis: Diagnosis, headcount: int | None) -> dict:
    """Scores and recommendation computed from the answers (pure scoring on loaded data)."""
    questions = list(
        Question.objects.filter(questionnaire_id=diagnosis.questionnaire_id)
        .select_related("theme")
        .order_by("theme__position", "position")
    )
    question_themes = {q.code: q.theme.code for q in questions}
    names = {q.theme.code: q.theme.name for q in questions}
    order = list(dict.fromkeys(q.theme.code for q in questions))
    scores = scoring.theme_scores(
        diagnosis.answers, question_themes, max_value=diagnosis.questionnaire.max_value
    )
    return {
        "scores": scores,
        "overall": scoring.overall_score(scores),
        "recommendation": scoring.recommend(
            scores, headcount=headcount, theme_names=names, order=order
        ),
        "question_codes": list(question_themes),
    }


def diagnosis_submit(*, diagnosis: Diagnosis, by, headcount: int | None) -> Diagnosis:
    """Freeze the answers with their version, store the scores and the recommendation.

    Publishes `diagnosis.submitted` so the enrolment moves on (handled in the enrolment app).
    """
    with transaction.atomic():
        locked = Diagnosis.objects.select_for_update().filter(pk=diagnosis.pk).first()
        if locked.state != Diagnosis.State.DRAFT:
            raise BusinessRuleError(_("Cet autodiagnostic a déjà été soumis."))
        results = diagnosis_results(diagnosis=locked, headcount=headcount)
        missing = [c for c in results["question_codes"] if c not in locked.answers]
        if missing:
            raise BusinessRuleError(
                _("Répondez à toutes les questions avant de soumettre (%(n)s sans réponse).")
                % {"n": len(missing)}
            )
        locked.theme_scores = {k: str(v) for k, v in results["scores"].items()}
        locked.overall_score = results["overall"]
        locked.recommendation = results["recommendation"].as_dict()
        locked.state = Diagnosis.State.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.version += 1
        locked.save()
        outbox_publish(
            kind="diagnosis.submitted",
            key=f"diagnosis:{locked.pk}:submitted",
            payload={
                "diagnosis_id": locked.pk,
                "enrolment_id": locked.enrolment_id,
                "by_id": by.pk if by is not None else None,
            },
        )
    diagnosis.refresh_from_db()
    return diagnosis


def scores_as_decimal(diagnosis: Diagnosis) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in (diagnosis.theme_scores or {}).items()}
