from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .forms import ProfileForm
from .health import check_broker, check_database
from .registry import panels_for, role_home_for


@login_required
def home(request):
    """Each role lands on its own home page."""
    url_name = role_home_for(request.user)
    if url_name:
        return redirect(url_name)
    return render(request, "core/home.html", {"panels": panels_for(request.user)})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Votre profil a été enregistré."))
        return redirect("core:profile")
    return render(request, "core/profile.html", {"form": form})


@never_cache
@require_GET
def healthz(request):
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    ok = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if ok else "error",
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
        status=200 if ok else 503,
    )


# --- Issue 6: reminder preferences, outbox failures, development e-mail outbox ---------------
from django.conf import settings  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.http import Http404  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from .exceptions import BusinessRuleError  # noqa: E402
from .forms import ReminderPreferenceForm  # noqa: E402
from .mailbox import mailbox_list, mailbox_message  # noqa: E402
from .models import OutboxMessage  # noqa: E402
from .outbox import outbox_retry  # noqa: E402
from .reminders import reminder_preference_for, reminder_preference_update  # noqa: E402
from .roles import Role  # noqa: E402


@login_required
def reminder_preferences(request):
    """Opt out of optional reminders, or get them in a weekly digest."""
    pref = reminder_preference_for(request.user)
    form = ReminderPreferenceForm(
        request.POST if request.method == "POST" else None, preference=pref
    )
    if request.method == "POST" and form.is_valid():
        reminder_preference_update(
            user=request.user,
            disabled_rules=form.disabled_rules(),
            weekly_digest=form.cleaned_data["weekly_digest"],
        )
        messages.success(request, _("Vos préférences de relance ont été enregistrées."))
        return redirect("core:reminder_preferences")
    return render(
        request,
        "core/profile_reminders.html",
        {"form": ProfileForm(instance=request.user), "reminder_form": form},
    )


def _require_ops(user) -> None:
    """Programme staff who watch the background work: director, administrator, Django staff."""
    if not (user.is_superuser or user.is_staff or user.role in {Role.DIRECTOR, Role.ADMIN}):
        raise PermissionDenied


@login_required
def outbox_failures(request):
    """Background work that failed after its last retry (or is stuck), with a retry button."""
    _require_ops(request.user)
    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).order_by(
        "-created_at"
    )[:200]
    stuck = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, attempts__gt=0
    ).order_by("-created_at")[:200]
    return render(request, "core/outbox_failures.html", {"failed": failed, "stuck": stuck})


@login_required
@require_POST
def outbox_retry_view(request, pk: int):
    _require_ops(request.user)
    message = OutboxMessage.objects.filter(pk=pk).first()
    if message is None:
        raise Http404
    try:
        outbox_retry(message=message, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Le message a été remis en file d'attente."))
    return redirect("core:outbox_failures")


def _require_admin(user) -> None:
    if not (user.is_superuser or user.role == Role.ADMIN):
        raise PermissionDenied


@login_required
def mailbox(request):
    """Development: the e-mails the file backend wrote, newest first (administrator only)."""
    _require_admin(request.user)
    return render(
        request,
        "core/mailbox.html",
        {
            "emails": mailbox_list(),
            "file_backend": settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"),
        },
    )


@login_required
@csp_update({"style-src-attr": [UNSAFE_INLINE]})
def mailbox_detail(request, name: str):
    """One e-mail; its HTML version in a sandboxed iframe (no script) that inherits the page's
    policy: e-mails need inline style attributes, allowed on this page only."""
    _require_admin(request.user)
    email = mailbox_message(name)
    if email is None:
        raise Http404
    return render(request, "core/mailbox_detail.html", {"email": email})
