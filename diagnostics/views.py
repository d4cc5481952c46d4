from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exceptions import BusinessRuleError
from core.roles import Role

from .models import Diagnosis
from .selectors import (
    diagnosis_for_user,
    diagnosis_profile,
    previous_diagnosis,
    questions_by_theme,
)
from .services import diagnosis_save_answers, diagnosis_submit


def _answers_from(post) -> dict:
    return {k[2:]: v for k, v in post.items() if k.startswith("q-") and v != ""}


@login_required
@require_http_methods(["GET", "POST"])
def take(request, pk: int):
    """The questionnaire: answers autosave (JavaScript) or save with the button; then submit."""
    diagnosis = diagnosis_for_user(user=request.user, pk=pk)
    if diagnosis.is_submitted:
        return redirect("diagnostics:results", pk=diagnosis.pk)
    answers = dict(diagnosis.answers)
    error = None
    if request.method == "POST":
        if request.user.role != Role.OWNER and not request.user.is_superuser:
            raise PermissionDenied
        posted = _answers_from(request.POST)
        autosave = request.headers.get("X-Autosave") == "1"
        try:
            diagnosis_save_answers(diagnosis=diagnosis, answers=posted)
            if autosave:
                return JsonResponse({"saved": True, "count": len(diagnosis.answers)})
            if request.POST.get("action") == "submit":
                diagnosis_submit(
                    diagnosis=diagnosis, by=request.user, headcount=diagnosis.company.headcount
                )
                messages.success(
                    request, _("Votre autodiagnostic est enregistré. Voici vos résultats.")
                )
                return redirect("diagnostics:results", pk=diagnosis.pk)
            messages.success(request, _("Brouillon enregistré : vous pourrez reprendre plus tard."))
            return redirect("diagnostics:take", pk=diagnosis.pk)
        except BusinessRuleError as exc:
            if autosave:
                return JsonResponse({"saved": False, "error": exc.message}, status=400)
            error = exc.message
            answers.update(posted)
            diagnosis.refresh_from_db()
    groups = questions_by_theme(diagnosis=diagnosis)
    total = sum(len(qs) for _t, qs in groups)
    return render(
        request,
        "diagnostics/take.html",
        {
            "diagnosis": diagnosis,
            "groups": groups,
            "answers": {k: str(v) for k, v in answers.items()},
            "answered": len(answers),
            "total": total,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def results(request, pk: int):
    diagnosis = diagnosis_for_user(user=request.user, pk=pk)
    if not diagnosis.is_submitted:
        return redirect("diagnostics:take", pk=diagnosis.pk)
    profile = diagnosis_profile(
        diagnosis=diagnosis, previous=previous_diagnosis(diagnosis=diagnosis)
    )
    return render(request, "diagnostics/results.html", {"diagnosis": diagnosis, "profile": profile})


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
