"""The pilots' qualifying training (approfondie): enrolment, sessions, attendance, assessment.

A pilot's training is complete when they attended every active module and
passed the assessment; the completion certificate is a PDF rendered by the
portal's one PDF pipeline (core.pdf.render_pdf: print stylesheet, packaged fonts,
shared FontConfiguration, PDF/UA-1), like the agreements and closing reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError
from core.pdf import render_pdf
from core.roles import STAFF_ROLES, TRAINING_RECORDER_ROLES, has_role
from core.services import timeline_record
from enrolment.models import Enrolment, Pilot

from .models import Expert, Trainee, TrainingAttendance, TrainingModule, TrainingSession


def can_organise_training(user) -> bool:
    """The staff organise the training (sessions, enrolment of pilots)."""
    return has_role(user, STAFF_ROLES)


def can_record_training(user) -> bool:
    """The trainer and the staff record attendance and assessments."""
    return has_role(user, TRAINING_RECORDER_ROLES)


def _require(check, by) -> None:
    if by is not None and not check(by):
        raise BusinessRuleError(_("Vous n'êtes pas autorisé à effectuer cette action."))


def training_enrol_pilots(*, enrolment: Enrolment, trainer: Expert | None = None, by=None):
    """Enrol the pilots of an offer that includes the training (approfondie); idempotent."""
    _require(can_organise_training, by)
    enrolment = Enrolment.objects.select_related("tariff", "company").get(pk=enrolment.pk)
    if enrolment.tariff is None or not enrolment.tariff.includes_training:
        raise BusinessRuleError(
            _("L'offre de « %(company)s » ne comprend pas la formation des pilotes.")
            % {"company": enrolment.company.name}
        )
    if trainer is not None and trainer.kind != Expert.Kind.TRAINER:
        raise BusinessRuleError(_("Choisissez un formateur du pool."), field="trainer")
    pilots = list(enrolment.pilots.all())
    if not pilots:
        raise BusinessRuleError(_("Aucun pilote n'est encore désigné pour cette entreprise."))
    with transaction.atomic():
        existing = {t.pilot_id: t for t in Trainee.objects.filter(pilot__in=pilots)}
        Trainee.objects.bulk_create(
            [Trainee(pilot=p, trainer=trainer) for p in pilots if p.pk not in existing],
            ignore_conflicts=True,
        )
        if trainer is not None:
            Trainee.objects.filter(pilot__in=pilots, trainer__isnull=True).update(trainer=trainer)
        trainees = list(
            Trainee.objects.filter(pilot__in=pilots)
            .select_related("pilot__enrolment__company")
            .order_by("pilot__position")
        )
        timeline_record(
            subject=enrolment,
            verb="training.enrolled",
            actor=by,
            message=_("Pilotes inscrits à la formation qualifiante : %(names)s")
            % {"names": ", ".join(str(p) for p in pilots)},
        )
    return trainees


def training_session_create(
    *,
    module: TrainingModule,
    trainer: Expert,
    relay,
    date: dt.date,
    place: str,
    trainees: list[Trainee],
    by=None,
) -> TrainingSession:
    _require(can_organise_training, by)
    if trainer.kind != Expert.Kind.TRAINER:
        raise BusinessRuleError(_("Choisissez un formateur du pool."), field="trainer")
    if not place.strip():
        raise BusinessRuleError(_("Indiquez le lieu de la session."), field="place")
    if not trainees:
        raise BusinessRuleError(_("Inscrivez au moins un stagiaire."), field="trainees")
    foreign = (
        Trainee.objects.filter(pk__in=[t.pk for t in trainees])
        .exclude(pilot__enrolment__company__relay=relay)
        .exists()
    )
    if foreign:
        raise BusinessRuleError(
            _("Les stagiaires doivent appartenir à des entreprises de la structure relais."),
            field="trainees",
        )
    with transaction.atomic():
        session = TrainingSession.objects.create(
            module=module,
            trainer=trainer,
            relay=relay,
            date=date,
            place=place.strip(),
            created_by=by,
        )
        TrainingAttendance.objects.bulk_create(
            [TrainingAttendance(session=session, trainee=t) for t in trainees]
        )
        Trainee.objects.filter(
            pk__in=[t.pk for t in trainees], status=Trainee.Status.ENROLLED
        ).update(status=Trainee.Status.IN_PROGRESS)
    return session


def attendance_open_check(session: TrainingSession) -> None:
    """Attendance is recorded from the session's day on, never for an upcoming session."""
    if session.is_upcoming:
        raise BusinessRuleError(
            _("La session n'a pas encore eu lieu : les présences se saisissent à partir du %(d)s.")
            % {"d": session.date.strftime("%d/%m/%Y")}
        )


def training_attendance_record(
    *, session: TrainingSession, present: dict[int, bool], by=None
) -> list[TrainingAttendance]:
    """Record presence (trainee id -> present) for the trainees registered in the session."""
    _require(can_record_training, by)
    attendance_open_check(session)
    with transaction.atomic():
        rows = list(session.attendances.select_for_update())
        known = {r.trainee_id for r in rows}
        if set(present) - known:
            raise BusinessRuleError(_("Un des stagiaires n'est pas inscrit à cette session."))
        now = timezone.now()
        for row in rows:
            row.present = bool(present.get(row.trainee_id, False))
            row.recorded_by = by
            row.recorded_at = now
        TrainingAttendance.objects.bulk_update(rows, ["present", "recorded_by", "recorded_at"])
    return rows


@dataclass(frozen=True)
class Progress:
    attended: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.attended >= self.total


def training_progress(*, trainee: Trainee) -> Progress:
    """Active modules attended (at least one session marked present) out of all active modules."""
    total = TrainingModule.objects.filter(is_active=True).count()
    attended = (
        TrainingModule.objects.filter(
            is_active=True,
            sessions__attendances__trainee=trainee,
            sessions__attendances__present=True,
        )
        .distinct()
        .count()
    )
    return Progress(attended=attended, total=total)


def training_assess(
    *,
    trainee: Trainee,
    passed: bool,
    score: Decimal | None = None,
    comment: str = "",
    by=None,
) -> Trainee:
    """Record the assessment; a pass with every module attended completes the training."""
    _require(can_record_training, by)
    if score is not None and not (Decimal("0") <= score <= Decimal("20")):
        raise BusinessRuleError(_("La note doit être comprise entre 0 et 20."), field="score")
    progress = training_progress(trainee=trainee)
    if passed and not progress.complete:
        raise BusinessRuleError(
            _(
                "La formation ne peut pas être validée : %(attended)s module(s) suivi(s) sur "
                "%(total)s. Enregistrez d'abord les présences manquantes."
            )
            % {"attended": progress.attended, "total": progress.total}
        )
    with transaction.atomic():
        locked = (
            Trainee.objects.select_for_update()
            .select_related("pilot__enrolment")
            .get(pk=trainee.pk)
        )
        locked.assessment_result = Trainee.Result.PASSED if passed else Trainee.Result.FAILED
        locked.assessment_score = score
        locked.assessment_comment = comment.strip()
        locked.assessed_at = timezone.now()
        locked.assessed_by = by
        if passed:
            locked.status = Trainee.Status.COMPLETED
            locked.completed_on = timezone.localdate()
            if not locked.certificate_number:
                locked.certificate_number = f"PPME-CQPM-{locked.completed_on:%Y}-{locked.pk:05d}"
        else:
            locked.status = Trainee.Status.NOT_PASSED
            locked.completed_on = None
        locked.save()
        timeline_record(
            subject=locked.pilot.enrolment,
            verb="training.assessed",
            actor=by,
            message=_("Formation de %(pilot)s : %(result)s")
            % {"pilot": locked.pilot, "result": locked.get_assessment_result_display()},
        )
    return locked


# --- PDF ---------------------------------------------------------------------------------


def training_certificate_pdf(*, trainee: Trainee) -> bytes:
    if trainee.status != Trainee.Status.COMPLETED:
        raise BusinessRuleError(_("L'attestation n'est délivrée qu'une fois la formation validée."))
    trainee = Trainee.objects.select_related(
        "pilot__enrolment__company__relay", "trainer__user"
    ).get(pk=trainee.pk)
    modules = TrainingModule.objects.filter(is_active=True).order_by("position")
    return render_pdf(
        template="pdf/training_certificate.html",
        context={
            "trainee": trainee,
            "pilot": trainee.pilot,
            "company": trainee.pilot.enrolment.company,
            "modules": modules,
            "total_hours": sum(m.hours for m in modules),
        },
    )


# --- selectors ---------------------------------------------------------------------------


def sessions_for_user(*, user):
    return (
        TrainingSession.objects.visible_to(user)
        .select_related("module", "trainer__user", "relay")
        .annotate(
            trainee_count=Count("attendances", distinct=True),
            present_count=Count("attendances", filter=Q(attendances__present=True), distinct=True),
            recorded_count=Count(
                "attendances", filter=Q(attendances__recorded_at__isnull=False), distinct=True
            ),
        )
        .order_by("-date", "pk")
    )


@dataclass(frozen=True)
class SessionsSplit:
    upcoming: list[TrainingSession]  # soonest first
    past: list[TrainingSession]  # latest first (today's session included: attendance is open)


def sessions_split(sessions, *, today: dt.date | None = None) -> SessionsSplit:
    """Upcoming sessions (after today) apart from the held ones, whose attendance is recorded."""
    today = today or timezone.localdate()
    rows = list(sessions)
    upcoming = sorted((s for s in rows if s.date > today), key=lambda s: (s.date, s.pk))
    past = sorted((s for s in rows if s.date <= today), key=lambda s: (s.date, s.pk), reverse=True)
    return SessionsSplit(upcoming=upcoming, past=past)


def trainees_with_progress(queryset) -> list[Trainee]:
    """Trainees with `progress` computed in two queries whatever their number."""
    trainees = list(
        queryset.select_related("pilot__enrolment__company", "trainer__user").order_by(
            "pilot__enrolment__company__name", "pilot__position"
        )
    )
    total = TrainingModule.objects.filter(is_active=True).count()
    attended = dict(
        TrainingAttendance.objects.filter(
            trainee__in=[t.pk for t in trainees],
            present=True,
            session__module__is_active=True,
        )
        .values_list("trainee_id")
        .annotate(n=Count("session__module", distinct=True))
        .values_list("trainee_id", "n")
    )
    for trainee in trainees:
        trainee.progress = Progress(attended=attended.get(trainee.pk, 0), total=total)
    return trainees


def trainees_for_user(*, user):
    return trainees_with_progress(Trainee.objects.visible_to(user))


def company_training(*, company) -> list[Pilot]:
    """The pilots of a company's enrolments, each with `trainee` (or None) and its progress."""
    pilots = list(
        Pilot.objects.filter(enrolment__company=company)
        .select_related("enrolment__tariff")
        .order_by("-enrolment__created_at", "position")
    )
    trainees = {
        t.pilot_id: t
        for t in trainees_with_progress(Trainee.objects.filter(pilot__in=[p.pk for p in pilots]))
    }
    for pilot in pilots:
        pilot.trainee = trainees.get(pilot.pk)
    return [
        p
        for p in pilots
        if p.trainee or (p.enrolment.tariff and p.enrolment.tariff.includes_training)
    ]


def trainee_detail_data(*, trainee: Trainee) -> dict:
    modules = list(
        TrainingModule.objects.filter(is_active=True)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=TrainingSession.objects.filter(attendances__trainee=trainee)
                .select_related("trainer__user")
                .prefetch_related(
                    Prefetch(
                        "attendances",
                        queryset=TrainingAttendance.objects.filter(trainee=trainee),
                        to_attr="mine",
                    )
                ),
                to_attr="trainee_sessions",
            )
        )
    )
    attended = sum(1 for m in modules if any(a.present for s in m.trainee_sessions for a in s.mine))
    return {"modules": modules, "progress": Progress(attended=attended, total=len(modules))}


def pilots_trained_count(*, user) -> dict:
    qs = Trainee.objects.visible_to(user)
    return qs.aggregate(
        trained=Count("pk", filter=Q(status=Trainee.Status.COMPLETED)),
        in_training=Count(
            "pk", filter=Q(status__in=[Trainee.Status.ENROLLED, Trainee.Status.IN_PROGRESS])
        ),
    )
