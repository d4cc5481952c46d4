"""Demo data of the collective action: follow-ups of closed companies, groups and seminars."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from consultants.models import Expert
from core.exceptions import BusinessRuleError
from core.models import Departement, Relay, User
from diagnostics.models import Theme
from enrolment.models import Enrolment, EnrolmentState

from .followups import followup_answer, followups_schedule
from .groups import group_create, group_member_add, seminar_attendance_record, seminar_create
from .models import GROUP_STATES, FollowUp, GroupMembership, NetworkConsent, TerritorialGroup
from .network import network_consent_give

S = EnrolmentState

#: Closed demo companies, in order: months since closing and answers per follow-up delay
#: (True: still carries on, False: stopped, None: has not answered).
CLOSED_HISTORY = [
    (40, {6: True, 12: True, 36: True}),
    (38, {6: True, 12: False, 36: False}),
    (14, {6: True, 12: None}),
    (7, {6: None}),
    (2, {}),
]


def seed_followups(ctx: dict) -> None:
    """Spread the closed companies over the past so that follow-ups fall due; answer some."""
    today = timezone.localdate()
    closed = list(Enrolment.objects.filter(state=S.CLOSED).order_by("company__siret"))
    for enrolment, (months, answers) in zip(closed, CLOSED_HISTORY, strict=False):
        closed_on = today - relativedelta(months=months)
        closed_at = timezone.make_aware(dt.datetime.combine(closed_on, dt.time(17, 0)))
        if enrolment.closed_at != closed_at:
            enrolment.closed_at = closed_at
            enrolment.created_at = min(enrolment.created_at, closed_at - dt.timedelta(days=400))
            enrolment.save(update_fields=["closed_at", "created_at"])
        followups = {f.due_months: f for f in followups_schedule(enrolment=enrolment)}
        for delay, still_running in answers.items():
            followup = followups.get(delay)
            if followup is None or still_running is None or followup.answered_at is not None:
                continue
            if followup.due_on > today:
                continue
            followup_answer(
                followup=followup,
                still_running=still_running,
                indicators_tracked="Taux de service client, délai de fabrication, encours"
                if still_running
                else "",
                latest_values="Taux de service 95 % ; délai 12 jours ; encours -30 %"
                if still_running
                else "",
                comment="" if still_running else "Départ du pilote, démarche mise en sommeil.",
            )
    ctx["followups"] = FollowUp.objects.count()


def seed_groups(ctx: dict) -> None:
    """A group per relay and territory with the companies in progress, and its seminars."""

    speakers = list(
        Expert.objects.filter(accreditation="active").select_related("user").order_by("pk")
    )
    themes = list(Theme.objects.order_by("position"))
    now = timezone.now()
    joined_long_ago = now - dt.timedelta(days=90)
    enrolments = (
        Enrolment.objects.filter(state__in=GROUP_STATES)
        .select_related("company__departement", "company__relay")
        .order_by("company__siret")
    )
    by_territory: dict[tuple[int, str], list[Enrolment]] = {}
    for enrolment in enrolments:
        company = enrolment.company
        by_territory.setdefault((company.relay_id, company.departement_id), []).append(enrolment)
    relays = {r.pk: r for r in Relay.objects.all()}
    departements = {d.pk: d for d in Departement.objects.all()}
    for n, ((relay_id, dep_code), members) in enumerate(sorted(by_territory.items())):
        relay, dep = relays[relay_id], departements[dep_code]
        staff = User.objects.get(email=f"relais-{relay.slug}@demo.test")
        name = f"Groupe {dep.name} {relay.name}"
        group = TerritorialGroup.objects.filter(relay=relay, name=name).first()
        if group is None:
            group = group_create(relay=relay, departement=dep, name=name, by=staff)
        active = set(
            GroupMembership.objects.filter(left_at__isnull=True).values_list(
                "enrolment_id", flat=True
            )
        )
        for enrolment in members:
            if enrolment.pk not in active:
                try:
                    group_member_add(group=group, enrolment=enrolment, by=staff)
                except BusinessRuleError:  # full: the company stays on the waiting list
                    continue
        GroupMembership.objects.filter(group=group, joined_at__gt=joined_long_ago).update(
            joined_at=joined_long_ago
        )
        if group.seminars.exists():
            continue
        for k, days in enumerate((-21, 24)):
            day = (now + dt.timedelta(days=days)).date()
            seminar = seminar_create(
                group=group,
                starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))),
                ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12, 30))),
                place=f"{relay.name}, salle de réunion — {dep.name}",
                theme=themes[(n + k) % len(themes)],
                speaker=speakers[(n * 2 + k) % len(speakers)] if speakers else None,
                notes="Accueil café à 8 h 45. Apportez vos derniers indicateurs.",
                by=staff,
            )
            if days < 0:
                in_group = GroupMembership.objects.filter(group=group, left_at__isnull=True)
                seminar_attendance_record(
                    seminar=seminar,
                    present={
                        enrolment_id: (i % 3 != 2)
                        for i, enrolment_id in enumerate(
                            in_group.order_by("pk").values_list("enrolment_id", flat=True)
                        )
                    },
                    by=staff,
                )


#: What demo members say they work on (the group page's cards), in turn.
WORKING_ON = [
    "Réduire les encours entre l'usinage et l'assemblage ; nous cherchons à échanger sur le "
    "pilotage par indicateurs.",
    "Remettre à plat la maintenance préventive de nos presses.",
    "Négocier nos achats d'acier avec d'autres PME du territoire.",
]


def seed_network(ctx: dict) -> None:
    """In each group, two members in three present themselves; the third never consented
    (the group page shows only the others)."""
    consents = NetworkConsent.objects.select_related("company__owner").order_by(
        "group_id", "company__siret"
    )
    position: dict[int, int] = {}
    for consent in consents:
        n = position[consent.group_id] = position.get(consent.group_id, -1) + 1
        owner = consent.company.owner
        if n % 3 == 2 or owner is None or consent.state != NetworkConsent.State.PENDING:
            continue  # the silent third, or already chosen (idempotent)
        network_consent_give(
            consent=consent,
            by=owner,
            show_name=True,
            show_town=True,
            show_activity=True,
            activity=f"Sous-traitance industrielle (NAF {consent.company.naf_code or '—'})",
            show_contact=n % 3 == 0,
            contact_name=owner.get_full_name() or owner.email,
            contact_email=owner.email,
            show_work=True,
            working_on=WORKING_ON[n % len(WORKING_ON)],
        )
    ctx["network_consents"] = NetworkConsent.objects.filter(
        state=NetworkConsent.State.GIVEN
    ).count()
