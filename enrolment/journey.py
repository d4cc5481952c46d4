"""The owner's journey, one thing per page, and the company's dossier.

1. Votre compte (sign-up)          /inscription/
2. Votre entreprise (SIRET, identity; eligibility checked on saving)
                                   /inscription/, /inscription/<id>/entreprise/
3. Autodiagnostic (one theme per page, results: the diagnostics app's pages)
                                   /inscription/<id>/autodiagnostic/ → /autodiagnostic/<id>/…
4. Pilotes et offre                /inscription/<id>/offre/
5. Vérifiez vos réponses           /inscription/<id>/recapitulatif/   (sends the request)
6. Demande envoyée                 /inscription/<id>/confirmation/

The dossier (/inscription/<id>/) and the owner's home say where the enrolment stands through
`dossier.owner_status`; the views stay thin: forms validate, services write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalogue.models import Offer
from catalogue.offers import APPROFONDIE, CIBLEE, is_targeted
from catalogue.pricing import enrolment_price, tariff_price
from catalogue.selectors import tariff_in_force, vat_rate_in_force
from core.exceptions import BusinessRuleError
from core.roles import Role
from core.services import timeline_for
from core.timeline_text import events_text
from diagnostics.journey import DiagnosisJourney
from diagnostics.models import Diagnosis, Theme
from diagnostics.selectors import diagnosis_profile, diagnosis_resume_point, diagnosis_themes
from diagnostics.services import active_questionnaire, diagnosis_start

from . import actions, deminimis, services
from .company_register import RegisterStatus, company_register_search
from .dossier import (
    STEP_ACCOUNT,
    STEP_CHECK,
    STEP_COMPANY,
    STEP_DIAGNOSIS,
    STEP_OFFER,
    STEP_SENT,
    dossier_documents,
    dossier_sections,
    enrolment_reference,
    expected_answer_date,
    journey_step,
    offer_ready,
    owner_status_for,
    validation_working_days,
)
from .forms import (
    CompanyForm,
    DeclaredAidFormSet,
    OfferForm,
    PilotForm,
    SignUpForm,
    SiretForm,
    VersionedForm,
    declared_aid_initial,
    declared_aid_rows,
)
from .models import Enrolment, EnrolmentState
from .selectors import enrolment_for_owner, enrolments_for_owner, latest_diagnoses
from .thread_views import thread_context

S = EnrolmentState
#: States reached once the request is sent: the confirmation page is a receipt from then on.
SENT_STATES = frozenset(
    {
        S.OFFER_CHOSEN,
        S.VALIDATED,
        S.CONSULTANT_ASSIGNED,
        S.AGREEMENT_SIGNED,
        S.IN_PROGRESS,
        S.CLOSED,
    }
)
RETAKE_STATES = frozenset(
    {S.VALIDATED, S.CONSULTANT_ASSIGNED, S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.CLOSED}
)
PILOT_FIELDS = ["first_name", "last_name", "job_title", "email", "phone"]


def _owner_only(user) -> None:
    if not (user.role == Role.OWNER or user.is_superuser):
        raise PermissionDenied


def error_list(*forms) -> list[tuple[str, str, str]]:
    """(field id, label, message) of every field in error: the summary at the top of a page."""
    return [
        (field.id_for_label, str(field.label), str(error))
        for form in forms
        for field in form
        for error in field.errors
    ]


def owner_next_url(enrolment: Enrolment) -> str:
    """Where the owner resumes: the status's next action, else the dossier."""
    status = owner_status_for(enrolment)
    if status.action is not None:
        return status.action.url
    return reverse("enrolment:status", args=[enrolment.pk])


# --- 1 and 2: account, SIRET ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
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
        return render(
            request,
            "enrolment/signup.html",
            {"form": form, "error_list": error_list(form), "steps": journey_step(STEP_ACCOUNT)},
            status=400 if form.errors else 200,
        )
    _owner_only(request.user)
    open_enrolments = list(
        Enrolment.objects.visible_to(request.user)
        .filter(company__owner=request.user)
        .open()
        .select_related("company", "company__relay")
        .order_by("-created_at")
    )
    if request.method == "GET" and open_enrolments and "nouvelle" not in request.GET:
        if len(open_enrolments) == 1:
            return redirect(owner_next_url(open_enrolments[0]))
        return redirect("core:home")
    form = SiretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        siret = form.cleaned_data["siret"]
        answer = None
        if not Enrolment.objects.filter(company__siret=siret).exists():
            answer = company_register_search(siret)
        try:
            enrolment = services.enrolment_start(
                owner=request.user, siret=siret, prefill=answer.data if answer else None
            )
        except BusinessRuleError as exc:
            form.add_error("siret", exc.message)
        else:
            _say_what_the_register_said(request, answer)
            return redirect(owner_next_url(enrolment))
    return render(
        request,
        "enrolment/start.html",
        {"form": form, "error_list": error_list(form), "steps": journey_step(STEP_COMPANY)},
        status=400 if form.errors else 200,
    )


def _say_what_the_register_said(request, answer) -> None:
    if answer is None:
        return
    if answer.status == RegisterStatus.FOUND:
        messages.info(
            request,
            _(
                "Nous avons pré-rempli les informations connues du répertoire public des "
                "entreprises : vérifiez-les et complétez le reste."
            ),
        )
    elif answer.status == RegisterStatus.NOT_FOUND:
        messages.warning(
            request,
            _(
                "Le répertoire public des entreprises ne connaît pas encore cet établissement : "
                "saisissez ses informations ci-dessous."
            ),
        )
    else:
        messages.warning(
            request,
            _(
                "Le répertoire public des entreprises ne répond pas en ce moment : nous n'avons "
                "pas pu pré-remplir votre fiche. Saisissez les informations ci-dessous."
            ),
        )


# --- 2: the company's identity; saving it checks eligibility ------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enrol_company(request, pk: int):
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    correcting = enrolment.state in services.CORRECTABLE_STATES
    if enrolment.state != S.DRAFT and not correcting:
        return redirect(owner_next_url(enrolment))
    if request.method == "POST" and request.POST.get("intent") == "submit" and correcting:
        # the same "Continuer" clicked twice: the first click already checked eligibility
        return redirect(owner_next_url(enrolment))
    back_to_check = (request.GET.get("retour") or request.POST.get("retour")) == "verification"
    company = enrolment.company
    form = CompanyForm(
        request.POST or None, instance=company, initial={"version": enrolment.version}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if correcting:
                services.company_correct(
                    enrolment=enrolment,
                    by=request.user,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                )
            else:
                enrolment = services.company_complete_and_submit(
                    enrolment=enrolment,
                    by=request.user,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                )
        except BusinessRuleError as exc:
            form.add_error(None, exc.message)
            company.refresh_from_db()
        else:
            if correcting:
                messages.success(request, _("Les informations de l'entreprise sont corrigées."))
                if back_to_check and offer_ready(enrolment):
                    return redirect("enrolment:review", pk=enrolment.pk)
                return redirect(owner_next_url(enrolment))
            return _after_eligibility(request, enrolment)
    elif request.method == "POST":
        company.refresh_from_db()
    return render(
        request,
        "enrolment/company_form.html",
        {
            "form": form,
            "enrolment": enrolment,
            "company": company,
            "correcting": correcting,
            "back_to_check": back_to_check,
            "error_list": error_list(form),
            "steps": journey_step(STEP_COMPANY),
        },
        status=400 if form.errors else 200,
    )


def _after_eligibility(request, enrolment: Enrolment):
    """Eligible: straight into the self-diagnosis. Not eligible: the dossier says why."""
    if enrolment.state == S.ELIGIBLE:
        diagnosis = diagnosis_start(
            company=enrolment.company, by=request.user, enrolment=enrolment, purpose="enrolment"
        )
        messages.success(
            request,
            _(
                "Bonne nouvelle : votre entreprise est éligible au programme. Étape suivante : "
                "l'autodiagnostic, un thème par page ; vos réponses sont enregistrées au fur "
                "et à mesure."
            ),
        )
        point = diagnosis_resume_point(diagnosis=diagnosis)
        return redirect("diagnostics:theme", pk=diagnosis.pk, number=point.theme)
    messages.warning(
        request,
        _("Votre demande n'est pas éligible : les raisons sont détaillées ci-dessous."),
    )
    return redirect("enrolment:status", pk=enrolment.pk)


# --- 3: the self-diagnosis (its pages are the diagnostics app's) ------------------------------


def _diagnosis_purpose(enrolment: Enrolment) -> str | None:
    if enrolment.state == S.ELIGIBLE:
        return Diagnosis.Purpose.ENROLMENT
    if enrolment.state == S.CLOSED:
        # once a follow-up is due, a retake is a follow-up diagnosis, not the closing one
        due = enrolment.followups.filter(due_on__lte=timezone.localdate()).exists()
        return Diagnosis.Purpose.FOLLOW_UP if due else Diagnosis.Purpose.CLOSING
    if enrolment.state in RETAKE_STATES:
        return Diagnosis.Purpose.FOLLOW_UP
    return None


@login_required
@require_http_methods(["GET", "POST"])
def enrol_diagnosis(request, pk: int):
    """The self-diagnosis of this enrolment: reading the page creates nothing; starting is a POST.

    A draft in progress is resumed where the owner left it.
    """
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    draft = Diagnosis.objects.filter(
        company_id=enrolment.company_id, state=Diagnosis.State.DRAFT
    ).first()
    if draft is not None:
        point = diagnosis_resume_point(diagnosis=draft)
        return redirect("diagnostics:theme", pk=draft.pk, number=point.theme)
    purpose = _diagnosis_purpose(enrolment)
    if request.method == "POST" and purpose is not None:
        diagnosis = diagnosis_start(
            company=enrolment.company,
            by=request.user,
            enrolment=enrolment if purpose == Diagnosis.Purpose.ENROLMENT else None,
            purpose=purpose,
        )
        return redirect("diagnostics:theme", pk=diagnosis.pk, number=1)
    if request.method == "POST":
        messages.error(request, _("L'autodiagnostic n'est pas ouvert à cette étape."))
    questionnaire = active_questionnaire()
    themes = diagnosis_themes(diagnosis=Diagnosis(questionnaire=questionnaire, answers={}))
    return render(
        request,
        "enrolment/diagnosis_start.html",
        {
            "enrolment": enrolment,
            "purpose": purpose,
            "themes": themes,
            "questions": sum(t.total for t in themes),
            "questionnaire": questionnaire,
            "steps": journey_step(STEP_DIAGNOSIS) if purpose == "enrolment" else None,
        },
    )


def diagnosis_journey_for(diagnosis: Diagnosis, user) -> DiagnosisJourney | None:
    """The enrolment's words for a diagnosis's pages (registered in diagnostics.journey)."""
    enrolment = diagnosis.enrolment if diagnosis.enrolment_id else None
    if enrolment is None:
        return None
    dossier = reverse("enrolment:status", args=[enrolment.pk])
    in_journey = diagnosis.purpose == Diagnosis.Purpose.ENROLMENT and enrolment.state in {
        S.ELIGIBLE,
        S.DIAGNOSED,
    }
    next_url = next_label = ""
    if in_journey and enrolment.state == S.DIAGNOSED and getattr(user, "role", "") == Role.OWNER:
        next_url = reverse("enrolment:offer", args=[enrolment.pk])
        next_label = _("Continuer : pilotes et offre")
    return DiagnosisJourney(
        steps=journey_step(STEP_DIAGNOSIS) if in_journey else None,
        exit_url=dossier,
        exit_label=_("le dossier de votre entreprise"),
        next_url=next_url,
        next_label=next_label,
    )


# --- 4: pilots and offer ----------------------------------------------------------------------


def _offer_rows(enrolment: Enrolment | None = None) -> list[dict]:
    """Each open offer with its tariff in force and its price (VAT at today's rate), and for an
    enrolment the de minimis check of that offer (the headroom it would leave)."""
    vat_rate = vat_rate_in_force()
    base = deminimis.headroom_before(enrolment) if enrolment is not None else None
    rows = []
    for offer in Offer.objects.filter(is_open=True).order_by("position"):
        tariff = tariff_in_force(offer=offer)
        if tariff is not None:
            price = tariff_price(tariff=tariff, vat_rate=vat_rate)
            check = deminimis.with_offer(base, tariff) if base is not None else None
            rows.append({"offer": offer, "tariff": tariff, "price": price, "deminimis": check})
    return rows


def _pilot_initial(enrolment: Enrolment, i: int) -> dict | None:
    pilots = list(enrolment.pilots.all())
    if len(pilots) < i:
        return None
    return {f: getattr(pilots[i - 1], f) for f in PILOT_FIELDS}


def _same_as_saved(enrolment: Enrolment, offer, pilot_forms) -> bool:
    """A second click on "Continuer" posts what the first one saved."""
    if enrolment.offer_id != getattr(offer, "pk", None):
        return False
    saved = services.pilot_data(enrolment)
    posted = [
        {f: pf.cleaned_data.get(f, "") for f in PILOT_FIELDS}
        for pf in pilot_forms[: len(saved)]
        if hasattr(pf, "cleaned_data")
    ]
    return bool(saved) and posted == saved


@login_required
@require_http_methods(["GET", "POST"])
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
    if enrolment.offer_id:  # what the owner chose before (coming back to change it)
        initial["offer"] = enrolment.offer
        initial["problem_theme"] = enrolment.problem_theme
    elif profile and profile.recommendation.get("offer"):
        initial["offer"] = Offer.objects.filter(code=profile.recommendation["offer"]).first()
        if profile.recommendation.get("focus_theme"):
            initial["problem_theme"] = Theme.objects.filter(
                code=profile.recommendation["focus_theme"]
            ).first()
    data = request.POST or None
    form = OfferForm(data, initial=initial, theme_order=theme_order)
    pilot_forms = [
        PilotForm(data, prefix=f"pilot{i}", initial=_pilot_initial(enrolment, i)) for i in (1, 2)
    ]
    if request.method == "POST":
        pilots_valid = [p.is_valid() for p in pilot_forms]
        if form.is_valid() and all(pilots_valid):
            offer = form.cleaned_data["offer"]
            needed = actions.pilots_needed(offer)
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
            if is_targeted(offer) and not form.cleaned_data.get("problem_theme"):
                form.add_error("problem_theme", _("Choisissez le problème à traiter."))
            if not form.errors and not any(pf.errors for pf in pilot_forms[:needed]):
                if form.cleaned_data["version"] != enrolment.version and _same_as_saved(
                    enrolment, offer, pilot_forms
                ):
                    return redirect("enrolment:review", pk=enrolment.pk)
                try:
                    services.enrolment_offer_save(
                        enrolment=enrolment,
                        by=request.user,
                        offer=offer,
                        pilots=[dict(pf.cleaned_data) for pf in pilot_forms[:needed]],
                        problem_theme=form.cleaned_data.get("problem_theme"),
                        expected_version=form.cleaned_data["version"],
                    )
                except BusinessRuleError as exc:
                    form.add_error(None, exc.message)
                else:
                    return redirect("enrolment:review", pk=enrolment.pk)
    rows = _offer_rows(enrolment)
    chosen = form["offer"].value()
    chosen_code = next((r["offer"].code for r in rows if str(r["offer"].pk) == str(chosen)), "")
    return render(
        request,
        "enrolment/offer.html",
        {
            "enrolment": enrolment,
            "form": form,
            "pilot_forms": pilot_forms,
            "offer_rows": rows,
            "chosen_code": chosen_code,
            "offer_codes": {"ciblee": CIBLEE, "approfondie": APPROFONDIE},
            "profile": profile,
            "deminimis": deminimis.headroom_before(enrolment),
            "declaration": deminimis.current_declaration(enrolment),
            "error_list": [
                (
                    f"offer-{rows[0]['offer'].code}"
                    if fid.startswith("id_offer") and rows
                    else fid,
                    label,
                    msg,
                )
                for fid, label, msg in error_list(form, *pilot_forms)
            ],
            "non_field_errors": form.non_field_errors(),
            "steps": journey_step(STEP_OFFER),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol_deminimis(request, pk: int):
    """The owner declares the de minimis aid the single undertaking received (offer step)."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    declaration = deminimis.current_declaration(enrolment)
    may_declare = enrolment.state in deminimis.OWNER_DECLARES_IN
    formset = DeclaredAidFormSet(
        request.POST or None,
        prefix="aid",
        initial=declared_aid_initial(declaration, company=enrolment.company),
    )
    error = None
    if request.method == "POST" and may_declare and formset.is_valid():
        try:
            deminimis.declaration_save(
                enrolment=enrolment, by=request.user, aids=declared_aid_rows(formset)
            )
        except BusinessRuleError as exc:
            error = exc.message
        else:
            messages.success(request, _("Votre déclaration des aides de minimis est enregistrée."))
            return redirect("enrolment:offer", pk=enrolment.pk)
    return render(
        request,
        "enrolment/deminimis.html",
        {
            "enrolment": enrolment,
            "declaration": declaration,
            "formset": formset if may_declare else None,
            "error": error,
            "deminimis": deminimis.headroom_before(enrolment),
            "steps": journey_step(STEP_OFFER),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- 5: check your answers, then send ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enrol_review(request, pk: int):
    """ "Vérifiez vos réponses": everything the relay will receive, each with "Modifier"."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state in SENT_STATES:
        # a second click on "Envoyer": the first one sent it
        return redirect("enrolment:confirmation", pk=enrolment.pk)
    if not offer_ready(enrolment):
        return redirect(owner_next_url(enrolment))
    form = VersionedForm(request.POST or None, initial={"version": enrolment.version})
    error = None
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != enrolment.version:
            error = _(
                "Votre demande a changé entre-temps (dans un autre onglet, ou votre structure "
                "relais l'a modifiée). Les réponses ci-dessous sont à jour : relisez-les, puis "
                "envoyez votre demande."
            )
        else:
            try:
                actions.choose_offer(
                    enrolment=enrolment,
                    by=request.user,
                    offer=enrolment.offer,
                    pilots=services.pilot_data(enrolment),
                    problem_theme=enrolment.problem_theme,
                    expected_version=form.cleaned_data["version"],
                )
            except BusinessRuleError as exc:
                enrolment.refresh_from_db()
                if enrolment.state in SENT_STATES:
                    return redirect("enrolment:confirmation", pk=enrolment.pk)
                error = exc.message
            else:
                return redirect("enrolment:confirmation", pk=enrolment.pk)
        form = VersionedForm(initial={"version": enrolment.version})
    diagnoses = latest_diagnoses(enrolment=enrolment, user=request.user)
    return render(
        request,
        "enrolment/review.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "pilots": list(enrolment.pilots.all()),
            "price": enrolment_price(enrolment),
            "deminimis": deminimis.assessment(enrolment),
            "declaration": deminimis.current_declaration(enrolment),
            "diagnosis": diagnoses[0] if diagnoses else None,
            "form": form,
            "error": error,
            "steps": journey_step(STEP_CHECK),
        },
        status=400 if error else 200,
    )


# --- 6: the request is sent -------------------------------------------------------------------


@login_required
def enrol_confirmation(request, pk: int):
    """The receipt: the reference, what happens next and when, whom to contact."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    if enrolment.state not in SENT_STATES:
        return redirect(owner_next_url(enrolment))
    return render(
        request,
        "enrolment/confirmation.html",
        {
            "enrolment": enrolment,
            "reference": enrolment_reference(enrolment),
            "relay": enrolment.company.relay,
            "days": validation_working_days(),
            "answer_by": expected_answer_date(enrolment),
            "status": owner_status_for(enrolment),
            "steps": journey_step(STEP_SENT),
        },
    )


# --- the dossier ------------------------------------------------------------------------------


def dossier_context(enrolment: Enrolment, user) -> dict:
    """Everything the dossier shows (the page and the owner's home share it)."""
    status = owner_status_for(enrolment)
    return {
        "enrolment": enrolment,
        "company": enrolment.company,
        "reference": enrolment_reference(enrolment),
        "status": status,
        "sections": dossier_sections(enrolment, user),
        "documents": dossier_documents(enrolment, user),
        "diagnoses": latest_diagnoses(enrolment=enrolment, user=user),
        "timeline": events_text(
            timeline_for(enrolment, include_internal=False).order_by("-created_at", "-pk")
        ),
        "may_retake": enrolment.state in RETAKE_STATES,
    }


@login_required
def enrol_status(request, pk: int):
    """The company's dossier: where it stands, the next action, documents, history in words."""
    _owner_only(request.user)
    enrolment = enrolment_for_owner(user=request.user, pk=pk)
    context = dossier_context(enrolment, request.user)
    context["thread"] = thread_context(enrolment=enrolment, user=request.user)
    return render(request, "enrolment/status.html", context)


def owner_home_context(user) -> dict:
    """The owner's home: the current enrolment's dossier, and the others in a list."""
    enrolments = list(enrolments_for_owner(user=user).prefetch_related("pilots"))
    if not enrolments:
        return {"dossier": None, "others": []}
    current = next((e for e in enrolments if e.is_open), enrolments[0])
    others = [(e, owner_status_for(e)) for e in enrolments if e.pk != current.pk]
    return {"dossier": dossier_context(current, user), "others": others}
