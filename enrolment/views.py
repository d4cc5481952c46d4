"""Public pages, the company's page and the owner's journey (sign-up to offer chosen).

The relay staff's pages are in `staff_views`."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Offer
from catalogue.selectors import open_offers_with_tariffs, tariff_in_force, vat_rate_in_force
from core.exceptions import BusinessRuleError
from core.money import CENT
from core.registry import company_sections_for
from core.roles import Role
from core.scoping import get_visible_or_404
from core.services import timeline_for
from diagnostics.models import Theme
from diagnostics.selectors import diagnosis_profile
from diagnostics.services import diagnosis_start

from . import services
from .company_register import company_register_lookup
from .forms import (
    CompanyForm,
    OfferForm,
    PilotForm,
    SignUpForm,
    SiretForm,
    VersionedForm,
)
from .models import Company, Enrolment, EnrolmentState
from .selectors import (
    enrolment_for_owner,
    latest_diagnoses,
)


def landing(request):
    """The public page that explains the programme and its offers (figures from the tariffs)."""
    return render(request, "enrolment/landing.html", {"offers": open_offers_with_tariffs()})


@login_required
def company_detail(request, pk: int):
    """A company and its enrolments, fetched through the user's scope (a foreign id is a 404)."""
    company = get_visible_or_404(
        Company.objects.select_related("relay", "departement", "owner"), request.user, pk=pk
    )
    enrolments = company.enrolments.select_related("offer").order_by("-created_at")
    context = {
        "company": company,
        "enrolments": enrolments,
        # Blocks of the apps above enrolment (seminars, pilots' training), registered in ready().
        "sections": company_sections_for(company),
    }
    return render(request, "enrolment/company_detail.html", context)


# --- The owner's journey ------------------------------------------------------------------


S = EnrolmentState


def _owner_only(user) -> None:
    if not (user.role == Role.OWNER or user.is_superuser):
        raise PermissionDenied


def owner_next_url(enrolment: Enrolment) -> str:
    """Where the owner resumes the journey."""
    if enrolment.state == S.DRAFT:
        company = enrolment.company
        if all(getattr(company, f) not in (None, "") for f in services.REQUIRED_COMPANY_FIELDS):
            return reverse("enrolment:review", args=[enrolment.pk])
        return reverse("enrolment:company", args=[enrolment.pk])
    if enrolment.state == S.ELIGIBLE:
        return reverse("enrolment:diagnosis", args=[enrolment.pk])
    if enrolment.state == S.DIAGNOSED:
        return reverse("enrolment:offer", args=[enrolment.pk])
    return reverse("enrolment:status", args=[enrolment.pk])


def enrol_start(request):
    """'Inscrire mon entreprise': create the owner account, then the SIRET, or resume."""
    if not request.user.is_authenticated:
        form = SignUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            user = services.owner_sign_up(
                email=d["email"],
                password=d["password1"],
                first_name=d["first_name"],
                last_name=d["last_name"],
                phone=d["phone"],
            )
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Votre compte est créé. Identifiez maintenant votre entreprise.")
            )
            return redirect("enrolment:start")
        return render(request, "enrolment/signup.html", {"form": form})
    _owner_only(request.user)
    open_enrolments = list(
        Enrolment.objects.visible_to(request.user)
        .open()
        .select_related("company")
        .order_by("-created_at")
    )
    to_resume = [e for e in open_enrolments if e.state in {S.DRAFT, S.ELIGIBLE, S.DIAGNOSED}]
    if request.method == "GET" and len(to_resume) == 1 and "nouvelle" not in request.GET:
        return redirect(owner_next_url(to_resume[0]))
    form = SiretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        siret = form.cleaned_data["siret"]
        prefill = None
        if not Enrolment.objects.filter(company__siret=siret).exists():
            prefill = company_register_lookup(siret)
        try:
            enrolment = services.enrolment_start(owner=request.user, siret=siret, prefill=prefill)
        except BusinessRuleError as exc:
            form.add_error("siret", exc.message)
        else:
            if prefill:
                messages.info(
                    request,
                    _(
                        "Nous avons pré-rempli les informations connues du répertoire des entreprises : vérifiez-les."
                    ),
                )
            return redirect(owner_next_url(enrolment))
    return render(
        request, "enrolment/start.html", {"form": form, "open_enrolments": open_enrolments}
    )


@login_required
def enrol_company(request, pk: int):
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state != S.DRAFT:
        return redirect(owner_next_url(enrolment))
    company = enrolment.company
    form = CompanyForm(
        request.POST or None, instance=company, initial={"version": enrolment.version}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.company_update(
                enrolment=enrolment,
                by=request.user,
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except BusinessRuleError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("enrolment:review", pk=enrolment.pk)
    elif request.method == "POST":
        company.refresh_from_db()
    return render(
        request,
        "enrolment/company_form.html",
        {"form": form, "enrolment": enrolment, "step": 1},
        status=400 if form.errors else 200,
    )


@login_required
def enrol_review(request, pk: int):
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state != S.DRAFT:
        return redirect(owner_next_url(enrolment))
    form = VersionedForm(request.POST or None, initial={"version": enrolment.version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_submit(
                enrolment=enrolment, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except BusinessRuleError as exc:
            error = exc.message
        else:
            return redirect("enrolment:status", pk=enrolment.pk)
    return render(
        request,
        "enrolment/review.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "form": form,
            "error": error,
            "step": 2,
        },
    )


@login_required
def enrol_status(request, pk: int):
    """The owner's view of an enrolment: state, eligibility with reasons, next step, history."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    diagnoses = latest_diagnoses(enrolment=enrolment, user=request.user)
    return render(
        request,
        "enrolment/status.html",
        {
            "enrolment": enrolment,
            "next_url": owner_next_url(enrolment),
            "diagnoses": diagnoses,
            "timeline": timeline_for(enrolment, include_internal=False),
            "may_retake": enrolment.state
            in {S.VALIDATED, S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED},
        },
    )


@login_required
def enrol_diagnosis(request, pk: int):
    """Start (or resume) the company's self-diagnosis for this enrolment, or a later one."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state == S.ELIGIBLE:
        purpose = "enrolment"
    elif enrolment.state == S.CLOSED:
        # once a follow-up is due, a retake is a follow-up diagnosis, not the closing one
        due = enrolment.followups.filter(due_on__lte=timezone.localdate()).exists()
        purpose = "follow_up" if due else "closing"
    elif enrolment.state in {S.VALIDATED, S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS}:
        purpose = "follow_up"
    else:
        messages.error(request, _("L'autodiagnostic n'est pas ouvert à cette étape."))
        return redirect("enrolment:status", pk=enrolment.pk)
    diagnosis = diagnosis_start(
        company=enrolment.company,
        by=request.user,
        enrolment=enrolment if purpose == "enrolment" else None,
        purpose=purpose,
    )
    return redirect("diagnostics:take", pk=diagnosis.pk)


def _offer_rows(offers) -> list[dict]:
    vat = vat_rate_in_force()
    rows = []
    for offer in offers:
        tariff = tariff_in_force(offer=offer)
        if tariff is None:
            continue
        vat_amount = (tariff.company_contribution_ht * vat / 100).quantize(CENT)
        rows.append(
            {
                "offer": offer,
                "tariff": tariff,
                "vat_rate": vat,
                "vat": vat_amount,
                "ttc": tariff.company_contribution_ht + vat_amount,
            }
        )
    return rows


@login_required
def enrol_offer(request, pk: int):
    """Pilots and offer: the tariff in force (HT, TVA, TTC, Region), the problem for ciblée."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state != S.DIAGNOSED:
        return redirect(owner_next_url(enrolment))
    diagnoses = latest_diagnoses(enrolment=enrolment, user=request.user)
    profile = diagnosis_profile(diagnosis=diagnoses[0]) if diagnoses else None
    theme_order = [w["code"] for w in profile.weakest] if profile else []
    initial = {"version": enrolment.version}
    if profile and profile.recommendation.get("offer"):
        initial["offer"] = Offer.objects.filter(code=profile.recommendation["offer"]).first()
        if profile.recommendation.get("focus_theme"):
            initial["problem_theme"] = Theme.objects.filter(
                code=profile.recommendation["focus_theme"]
            ).first()
    data = request.POST or None
    form = OfferForm(data, initial=initial, theme_order=theme_order)
    existing = list(enrolment.pilots.all())
    pilot_forms = [
        PilotForm(
            data,
            prefix=f"pilot{i}",
            initial=(
                {
                    f: getattr(existing[i - 1], f)
                    for f in ["first_name", "last_name", "job_title", "email", "phone"]
                }
                if len(existing) >= i
                else None
            ),
        )
        for i in (1, 2)
    ]
    if request.method == "POST":
        pilots_valid = [p.is_valid() for p in pilot_forms]
        valid = form.is_valid() and all(pilots_valid)
        if valid:
            offer = form.cleaned_data["offer"]
            tariff = tariff_in_force(offer=offer)
            needed = (tariff.pilots if tariff else 1) or 1
            for i, pf in enumerate(pilot_forms, start=1):
                if i <= needed:
                    if pf.is_blank():
                        pf.require(
                            _("Nommez le pilote interne.")
                            if i == 1
                            else _("L'offre approfondie demande un second pilote (binôme).")
                        )
                    else:
                        pf.require(_("Ce champ est obligatoire."))
            if offer.code == "ciblee" and not form.cleaned_data.get("problem_theme"):
                form.add_error("problem_theme", _("Choisissez le problème à traiter."))
            valid = not form.errors and not any(pf.errors for pf in pilot_forms)
            if valid:
                pilots = [dict(pf.cleaned_data) for pf in pilot_forms[:needed]]
                try:
                    services.enrolment_choose_offer(
                        enrolment=enrolment,
                        by=request.user,
                        offer=offer,
                        pilots=pilots,
                        problem_theme=form.cleaned_data.get("problem_theme"),
                        expected_version=form.cleaned_data["version"],
                    )
                except BusinessRuleError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request,
                        _(
                            "Votre inscription est transmise à votre structure relais, qui va la valider."
                        ),
                    )
                    return redirect("enrolment:status", pk=enrolment.pk)
    offers = list(Offer.objects.filter(is_open=True).order_by("position"))
    return render(
        request,
        "enrolment/offer.html",
        {
            "enrolment": enrolment,
            "form": form,
            "pilot_forms": pilot_forms,
            "offer_rows": _offer_rows(offers),
            "profile": profile,
        },
        status=400 if request.method == "POST" else 200,
    )
