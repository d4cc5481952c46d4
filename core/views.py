import datetime as dt

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from .audit import LazyJournal, journal_queryset
from .exceptions import BusinessRuleError
from .filters import AuditFilter
from .forms import (
    PersonalDataAnonymiseForm,
    PersonalDataExportForm,
    ProfileForm,
    ReminderPreferenceForm,
)
from .health import check_broker, check_database
from .mailbox import mailbox_list, mailbox_message
from .models import OutboxMessage
from .outbox import outbox_retry
from .personal_data import (
    PersonNotFound,
    json_download,
    person_anonymise,
    personal_data_events,
    personal_data_export,
)
from .reauth import recent_authentication_required
from .registry import panels_for, role_home_for
from .reminders import reminder_preference_for, reminder_preference_update
from .roles import DIRECTION_ROLES, Role, has_role
from .tables import AuditTable


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


# --- Reminder preferences, outbox failures, development e-mail outbox ---------------


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
    if not (user.is_staff or has_role(user, DIRECTION_ROLES)):
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


# --- Personal data (RGPD) ------------------------------------------------------------


def _require_rgpd(user) -> None:
    """Exporting or anonymising anyone's data: the director and administrators."""
    if not has_role(user, DIRECTION_ROLES):
        raise PermissionDenied


def _not_found(email: str) -> str:
    return _(
        "Aucune personne n'est connue du portail sous l'adresse %(email)s "
        "(ni compte, ni pilote) : il n'y a rien à exporter ni à anonymiser."
    ) % {"email": email}


def _rgpd_page(request, *, export_form=None, anonymise_form=None, status=200):
    return render(
        request,
        "core/rgpd.html",
        {
            "export_form": export_form or PersonalDataExportForm(),
            "anonymise_form": anonymise_form or PersonalDataAnonymiseForm(),
            "events": personal_data_events(limit=30),
        },
        status=status,
    )


@login_required
def my_data(request):
    """ "Mes données": what the portal holds about me, downloadable as JSON."""
    return render(request, "core/my_data.html")


@never_cache
@login_required
@recent_authentication_required
def my_data_export(request):
    data = personal_data_export(email=request.user.email, by=request.user)
    return json_download(data)


@login_required
def rgpd(request):
    _require_rgpd(request.user)
    return _rgpd_page(request)


@never_cache
@login_required
@recent_authentication_required
def rgpd_export(request):
    _require_rgpd(request.user)
    form = PersonalDataExportForm(request.GET)
    if not form.is_valid():
        return _rgpd_page(request, export_form=form, status=400)
    try:
        data = personal_data_export(email=form.cleaned_data["email"], by=request.user)
    except PersonNotFound as exc:
        form.add_error("email", _not_found(exc.email))
        return _rgpd_page(request, export_form=form, status=404)
    return json_download(data)


@login_required
@recent_authentication_required
@require_POST
def rgpd_anonymise(request):
    _require_rgpd(request.user)
    form = PersonalDataAnonymiseForm(request.POST)
    if not form.is_valid():
        return _rgpd_page(request, anonymise_form=form, status=400)
    email = form.cleaned_data["email"]
    try:
        changed = person_anonymise(email=email, by=request.user, reason=form.cleaned_data["reason"])
    except PersonNotFound:
        form.add_error("email", _not_found(email))
        return _rgpd_page(request, anonymise_form=form, status=404)
    except BusinessRuleError as exc:
        form.add_error(exc.field or "email", exc.message)
        return _rgpd_page(request, anonymise_form=form, status=400)
    messages.success(
        request,
        _("Les données de %(email)s ont été anonymisées (%(n)s enregistrements).")
        % {"email": email, "n": changed},
    )
    return redirect("core:rgpd")


# --- The journal of changes (audit trail) ----------------------------------------------


@login_required
def audit_log(request):
    """Who changed what and when, across the audited objects (director and administrator)."""
    if not has_role(request.user, DIRECTION_ROLES):
        raise PermissionDenied
    filterset = AuditFilter(request.GET or None, queryset=journal_queryset())
    table = AuditTable(LazyJournal(filterset.qs))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "core/audit_log.html", {"filter": filterset, "table": table})


# --- Footer pages: accessibility statement, legal notice, personal data and cookies ----------


def _legal_context() -> dict:
    return {
        "audit_date": dt.date.fromisoformat(settings.ACCESSIBILITY_AUDIT_DATE),
        "publisher": settings.LEGAL_PUBLISHER,
        "publication_director": settings.LEGAL_PUBLICATION_DIRECTOR,
        "host": settings.LEGAL_HOST,
        "contact_email": settings.LEGAL_CONTACT_EMAIL,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
    }


def accessibility(request):
    """Déclaration d'accessibilité (RGAA): partial compliance, how it was checked, recourse."""
    return render(request, "core/legal/accessibility.html", _legal_context())


def legal_notice(request):
    return render(request, "core/legal/legal_notice.html", _legal_context())


def personal_data_policy(request):
    """Données personnelles et cookies: what is kept, why, how long; strictly necessary cookies."""
    return render(request, "core/legal/personal_data.html", _legal_context())
