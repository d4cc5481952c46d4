from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exceptions import BusinessRuleError
from core.roles import Role

from .journey import diagnosis_journey
from .models import Diagnosis
from .selectors import (
    diagnosis_for_user,
    diagnosis_profile,
    diagnosis_themes,
    previous_diagnosis,
    questions_by_theme,
)
from .services import diagnosis_save_answers, diagnosis_submit


def _answers_from(post, codes=None) -> dict:
    answers = {k[2:]: v for k, v in post.items() if k.startswith("q-") and v != ""}
    if codes is not None:
        answers = {k: v for k, v in answers.items() if k in codes}
    return answers


def _may_answer(user) -> None:
    if user.role != Role.OWNER and not user.is_superuser:
        raise PermissionDenied


def _scale(diagnosis: Diagnosis) -> dict[int, str]:
    return {level["value"]: level["label"] for level in diagnosis.questionnaire.scale}


def _submit(request, diagnosis: Diagnosis):
    diagnosis_submit(diagnosis=diagnosis, by=request.user, headcount=diagnosis.company.headcount)
    messages.success(request, _("Votre autodiagnostic est enregistré. Voici vos résultats."))
    return redirect("diagnostics:results", pk=diagnosis.pk)


@login_required
@require_http_methods(["GET", "POST"])
def take(request, pk: int):
    """The summary of the questionnaire, theme by theme, and its submission.

    A POST may also carry answers to any question (the whole questionnaire at once, as the API
    and older pages did): they are saved first.
    """
    diagnosis = diagnosis_for_user(user=request.user, pk=pk)
    if diagnosis.is_submitted:
        return redirect("diagnostics:results", pk=diagnosis.pk)
    error = None
    if request.method == "POST":
        _may_answer(request.user)
        autosave = request.headers.get("X-Autosave") == "1"
        try:
            diagnosis_save_answers(diagnosis=diagnosis, answers=_answers_from(request.POST))
            if autosave:
                return JsonResponse({"saved": True, "count": len(diagnosis.answers)})
            if request.POST.get("action") == "submit":
                return _submit(request, diagnosis)
            messages.success(request, _("Brouillon enregistré : vous pourrez reprendre plus tard."))
            return redirect("diagnostics:take", pk=diagnosis.pk)
        except BusinessRuleError as exc:
            if autosave:
                return JsonResponse({"saved": False, "error": exc.message}, status=400)
            error = exc.message
            diagnosis.refresh_from_db()
    themes = diagnosis_themes(diagnosis=diagnosis)
    journey = diagnosis_journey(diagnosis=diagnosis, user=request.user)
    return render(
        request,
        "diagnostics/summary.html",
        {
            "diagnosis": diagnosis,
            "themes": themes,
            "answered": sum(t.answered for t in themes),
            "total": sum(t.total for t in themes),
            "incomplete": [t for t in themes if not t.complete] if error else [],
            "complete": all(t.complete for t in themes),
            "error": error,
            "journey": journey,
            "steps": journey.step(_("récapitulatif")),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme(request, pk: int, number: int):
    """One theme of the questionnaire per page; answers autosave, "Continuer" checks the theme."""
    diagnosis = diagnosis_for_user(user=request.user, pk=pk)
    if diagnosis.is_submitted:
        return redirect("diagnostics:results", pk=diagnosis.pk)
    groups = questions_by_theme(diagnosis=diagnosis)
    if not 1 <= number <= len(groups):
        raise Http404(_("Ce thème n'existe pas dans ce questionnaire."))
    current, questions = groups[number - 1]
    codes = {q.code for q in questions}
    journey = diagnosis_journey(diagnosis=diagnosis, user=request.user)
    answers = {k: str(v) for k, v in diagnosis.answers.items()}
    errors: dict[str, str] = {}
    form_error = None
    if request.method == "POST":
        _may_answer(request.user)
        posted = _answers_from(request.POST, codes)
        autosave = request.headers.get("X-Autosave") == "1"
        action = request.POST.get("action", "next")
        try:
            diagnosis_save_answers(diagnosis=diagnosis, answers=posted)
        except BusinessRuleError as exc:
            if autosave:
                return JsonResponse({"saved": False, "error": exc.message}, status=400)
            form_error = exc.message
            diagnosis.refresh_from_db()
        else:
            themes = diagnosis_themes(diagnosis=diagnosis)
            if autosave:
                return JsonResponse(
                    {
                        "saved": True,
                        "count": sum(t.answered for t in themes),
                        "total": sum(t.total for t in themes),
                        "theme_answered": themes[number - 1].answered,
                        "themes_complete": sum(1 for t in themes if t.complete),
                    }
                )
            if action == "later":
                messages.success(
                    request,
                    _(
                        "Vos réponses sont enregistrées. Vous reprendrez au thème %(n)s sur "
                        "%(total)s depuis %(where)s."
                    )
                    % {
                        "n": next((t.number for t in themes if not t.complete), number),
                        "total": len(themes),
                        "where": journey.exit_label,
                    },
                )
                return redirect(journey.exit_url)
            for q_number, q in enumerate(questions, start=1):
                if q.code not in diagnosis.answers:
                    errors[q.code] = _(
                        "Question %(n)s : choisissez la réponse qui décrit le mieux votre "
                        "situation."
                    ) % {"n": q_number}
            if not errors:
                if number < len(groups):
                    return redirect("diagnostics:theme", pk=diagnosis.pk, number=number + 1)
                if all(t.complete for t in themes):
                    try:
                        return _submit(request, diagnosis)
                    except BusinessRuleError as exc:
                        form_error = exc.message
                else:
                    messages.error(
                        request,
                        _("Il reste des questions sans réponse : complétez les thèmes indiqués."),
                    )
                    return redirect("diagnostics:take", pk=diagnosis.pk)
        answers.update(posted)
    themes = diagnosis_themes(diagnosis=diagnosis)
    answered = sum(t.answered for t in themes)
    total = sum(t.total for t in themes)
    detail = _("thème %(n)s sur %(total)s") % {"n": number, "total": len(groups)}
    scale = _scale(diagnosis)
    rows = [
        {
            "number": i,
            "question": q,
            "error": errors.get(q.code, ""),
            "choices": [
                {
                    "value": c.value,
                    "level": scale.get(c.value, ""),
                    "label": c.label,
                    "checked": answers.get(q.code) == str(c.value),
                }
                for c in q.choices.all()
            ],
        }
        for i, q in enumerate(questions, start=1)
    ]
    return render(
        request,
        "diagnostics/theme.html",
        {
            "diagnosis": diagnosis,
            "theme": current,
            "number": number,
            "theme_count": len(groups),
            "rows": rows,
            "errors": errors,
            "form_error": form_error,
            "themes": themes,
            "themes_complete": sum(1 for t in themes if t.complete),
            "answered": answered,
            "total": total,
            "detail": detail,
            "scale": diagnosis.questionnaire.scale,
            "is_last": number == len(groups),
            "journey": journey,
            "steps": journey.step(detail),
        },
        status=400 if errors or form_error else 200,
    )


@login_required
def results(request, pk: int):
    diagnosis = diagnosis_for_user(user=request.user, pk=pk)
    if not diagnosis.is_submitted:
        return redirect("diagnostics:take", pk=diagnosis.pk)
    profile = diagnosis_profile(
        diagnosis=diagnosis, previous=previous_diagnosis(diagnosis=diagnosis)
    )
    journey = diagnosis_journey(diagnosis=diagnosis, user=request.user)
    return render(
        request,
        "diagnostics/results.html",
        {
            "diagnosis": diagnosis,
            "profile": profile,
            "journey": journey,
            "steps": journey.step(_("résultats")),
        },
    )


@login_required
@csp_update({"style-src": [UNSAFE_INLINE]})
def chart(request, pk: int):
    """The profile chart alone, as SVG (for PDFs and downloads).

    Opened on its own, the SVG is its own document: its <style> (pygal's, no script) is allowed.
    """
    diagnosis = diagnosis_for_user(user=request.user, pk=pk)
    if diagnosis.state != Diagnosis.State.SUBMITTED:
        return HttpResponse(status=404)
    profile = diagnosis_profile(
        diagnosis=diagnosis, previous=previous_diagnosis(diagnosis=diagnosis)
    )
    return HttpResponse(profile.svg, content_type="image/svg+xml")
