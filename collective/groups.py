"""Territorial groups and their seminars: rules (services) and reads (selectors).

A relay runs groups of GROUP_MIN_COMPANIES to GROUP_MAX_COMPANIES companies per
territory. Entry and exit are rolling: a company whose enrolment is validated or
later joins a group with room; it leaves when its enrolment is closed or
withdrawn (outbox handlers below). Memberships are closed, never deleted.
The cap holds under concurrency: the group row is locked before counting.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from core.emails import PortalEmail
from core.exceptions import BusinessRuleError
from core.models import OutboxMessage
from core.outbox import outbox_publish
from core.roles import STAFF_ROLES, has_role
from core.services import timeline_record
from enrolment.dossier import register_dossier_section
from enrolment.models import Enrolment

from .models import (
    GROUP_STATES,
    GroupMembership,
    GroupWaitlistEntry,
    NetworkConsent,
    Seminar,
    SeminarAttendance,
    TerritorialGroup,
)
from .network import network_consent_open


def can_edit_groups(user) -> bool:
    """The staff change groups and seminars (the Region only watches)."""
    return has_role(user, STAFF_ROLES)


def _check_editor(by) -> None:
    if by is not None and not can_edit_groups(by):
        raise BusinessRuleError(_("Vous n'êtes pas autorisé à modifier les groupes."))


# --- groups ------------------------------------------------------------------------------


def group_create(*, relay, departement, name: str, by=None) -> TerritorialGroup:
    _check_editor(by)
    name = name.strip()
    if not name:
        raise BusinessRuleError(_("Donnez un nom au groupe."), field="name")
    if TerritorialGroup.objects.filter(relay=relay, name__iexact=name).exists():
        raise BusinessRuleError(
            _("La structure relais a déjà un groupe nommé « %(name)s ».") % {"name": name},
            field="name",
        )
    group = TerritorialGroup.objects.create(
        relay=relay, departement=departement, name=name, created_by=by
    )
    timeline_record(subject=group, verb="group.created", actor=by, message=name)
    return group


def group_member_add(*, group: TerritorialGroup, enrolment: Enrolment, by=None) -> GroupMembership:
    """Add a company to a group with room; refuse the one past GROUP_MAX_COMPANIES.

    The group row is locked (SELECT ... FOR UPDATE) before counting, so two staff
    adding at the same moment are served one after the other.
    """
    _check_editor(by)
    with transaction.atomic():
        locked = TerritorialGroup.objects.select_for_update().get(pk=group.pk)
        enrolment = Enrolment.objects.select_related("company").get(pk=enrolment.pk)
        if enrolment.state not in GROUP_STATES:
            raise BusinessRuleError(
                _(
                    "« %(company)s » ne peut pas rejoindre un groupe : son inscription doit être "
                    "validée par le relais et la mission ni clôturée ni abandonnée."
                )
                % {"company": enrolment.company.name}
            )
        if enrolment.company.relay_id != locked.relay_id:
            raise BusinessRuleError(
                _("« %(company)s » n'est pas rattachée à la structure relais de ce groupe.")
                % {"company": enrolment.company.name}
            )
        current = (
            GroupMembership.objects.filter(enrolment=enrolment, left_at__isnull=True)
            .select_related("group")
            .first()
        )
        if current is not None:
            raise BusinessRuleError(
                _("« %(company)s » fait déjà partie du groupe « %(group)s ».")
                % {"company": enrolment.company.name, "group": current.group.name}
            )
        count = GroupMembership.objects.filter(group=locked, left_at__isnull=True).count()
        if count >= settings.GROUP_MAX_COMPANIES:
            raise BusinessRuleError(
                _(
                    "Le groupe « %(group)s » est complet : il compte déjà %(count)s entreprises "
                    "(maximum %(max)s). Proposez un autre groupe ou laissez l'entreprise "
                    "en liste d'attente."
                )
                % {"group": locked.name, "count": count, "max": settings.GROUP_MAX_COMPANIES}
            )
        membership = GroupMembership.objects.create(group=locked, enrolment=enrolment, added_by=by)
        # the owner then chooses what the other members see (nothing until they do)
        network_consent_open(group=locked, company=enrolment.company)
        GroupWaitlistEntry.objects.filter(enrolment=enrolment, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        timeline_record(
            subject=locked,
            verb="group.joined",
            actor=by,
            message=enrolment.company.name,
            data={"enrolment_id": enrolment.pk},
        )
    return membership


def group_member_remove(*, membership: GroupMembership, reason: str, by=None) -> GroupMembership:
    """Close a membership (the row stays: history)."""
    _check_editor(by)
    if not reason.strip():
        raise BusinessRuleError(_("Indiquez le motif de la sortie du groupe."), field="reason")
    with transaction.atomic():
        locked = (
            GroupMembership.objects.select_for_update()
            .select_related("enrolment__company", "group")
            .get(pk=membership.pk)
        )
        if locked.left_at is not None:
            raise BusinessRuleError(_("Cette entreprise a déjà quitté le groupe."))
        locked.left_at = timezone.now()
        locked.left_reason = reason.strip()
        locked.save(update_fields=["left_at", "left_reason"])
        timeline_record(
            subject=locked.group,
            verb="group.left",
            actor=by,
            message=f"{locked.enrolment.company.name} : {locked.left_reason}",
            data={"enrolment_id": locked.enrolment_id},
        )
        group_propose(enrolment=locked.enrolment, exclude_group_id=locked.group_id)
    return locked


def group_with_room(
    *, relay_id: int, departement_id: str | None, exclude_id: int | None = None
) -> TerritorialGroup | None:
    """The group of this relay and territory with room left, fullest first (to open it sooner)."""
    if departement_id is None:
        return None
    return (
        TerritorialGroup.objects.filter(relay_id=relay_id, departement_id=departement_id)
        .exclude(pk=exclude_id)
        .with_member_count()
        .filter(active_count__lt=settings.GROUP_MAX_COMPANIES)
        .order_by("-active_count", "created_at", "pk")
        .first()
    )


def group_propose(
    *, enrolment: Enrolment, exclude_group_id: int | None = None
) -> GroupWaitlistEntry | None:
    """Propose a group with room (same relay and territory) or put on the waiting list.

    Called on validation, and after staff took a company out of a group while its
    mission goes on (then the group it left is not proposed again).
    """
    enrolment = Enrolment.objects.select_related("company").filter(pk=enrolment.pk).first()
    if enrolment.state not in GROUP_STATES or enrolment.company.relay_id is None:
        return None
    if GroupMembership.objects.filter(enrolment=enrolment, left_at__isnull=True).exists():
        return None
    group = group_with_room(
        relay_id=enrolment.company.relay_id,
        departement_id=enrolment.company.departement_id,
        exclude_id=exclude_group_id,
    )
    entry = GroupWaitlistEntry.objects.filter(enrolment=enrolment, resolved_at__isnull=True).first()
    if entry is None:
        entry = GroupWaitlistEntry.objects.create(enrolment=enrolment, proposed_group=group)
    elif entry.proposed_group_id != (group.pk if group else None):
        entry.proposed_group = group
        entry.save(update_fields=["proposed_group"])
    return entry


def group_memberships_end(*, enrolment: Enrolment, reason: str) -> int:
    """Close the enrolment's group membership and waiting entry (closing or withdrawal)."""
    now = timezone.now()
    ended = 0
    for membership in GroupMembership.objects.select_for_update().filter(
        enrolment=enrolment, left_at__isnull=True
    ):
        membership.left_at = now
        membership.left_reason = reason
        membership.save(update_fields=["left_at", "left_reason"])
        timeline_record(
            subject=membership.group,
            verb="group.left",
            message=reason,
            data={"enrolment_id": enrolment.pk},
        )
        ended += 1
    GroupWaitlistEntry.objects.filter(enrolment=enrolment, resolved_at__isnull=True).update(
        resolved_at=now
    )
    return ended


# Outbox handlers (registered in EnrolmentConfig.ready(), database-only: sync=True).


def on_enrolment_validated(message: OutboxMessage) -> None:
    enrolment = Enrolment.objects.filter(pk=message.payload.get("enrolment_id")).first()
    if enrolment is not None:
        group_propose(enrolment=enrolment)


def on_enrolment_closed(message: OutboxMessage) -> None:
    enrolment = Enrolment.objects.filter(pk=message.payload.get("enrolment_id")).first()
    if enrolment is not None:
        group_memberships_end(enrolment=enrolment, reason=str(_("Mission clôturée")))


def on_enrolment_withdrawn(message: OutboxMessage) -> None:
    enrolment = Enrolment.objects.filter(pk=message.payload.get("enrolment_id")).first()
    if enrolment is not None:
        group_memberships_end(enrolment=enrolment, reason=str(_("Abandon du programme")))


# --- seminars ----------------------------------------------------------------------------


def _check_seminar(*, starts_at, ends_at, place: str, theme, title: str) -> None:
    if ends_at <= starts_at:
        raise BusinessRuleError(_("La fin du séminaire doit suivre son début."), field="ends_at")
    if not place.strip():
        raise BusinessRuleError(_("Indiquez le lieu du séminaire."), field="place")
    if theme is None and not title.strip():
        raise BusinessRuleError(
            _("Choisissez un thème ou saisissez un intitulé libre."), field="title"
        )


def seminar_create(
    *,
    group: TerritorialGroup,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    theme=None,
    title: str = "",
    speaker=None,
    notes: str = "",
    by=None,
) -> Seminar:
    """Schedule a seminar; invitations (e-mail + .ics) go out from the outbox after commit."""
    _check_editor(by)
    _check_seminar(starts_at=starts_at, ends_at=ends_at, place=place, theme=theme, title=title)
    with transaction.atomic():
        seminar = Seminar.objects.create(
            group=group,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            theme=theme,
            title=title.strip(),
            speaker=speaker,
            notes=notes,
            created_by=by,
        )
        timeline_record(subject=group, verb="seminar.scheduled", actor=by, message=str(seminar))
        outbox_publish(
            kind="seminar.scheduled",
            key=f"seminar:{seminar.pk}:seq{seminar.sequence}",
            payload={"seminar_id": seminar.pk, "sequence": seminar.sequence},
        )
    return seminar


def seminar_update(*, seminar: Seminar, by=None, **fields) -> Seminar:
    """Change a seminar; a new invitation (same UID, higher SEQUENCE) replaces the old one."""
    _check_editor(by)
    for name, value in fields.items():
        setattr(seminar, name, value)
    _check_seminar(
        starts_at=seminar.starts_at,
        ends_at=seminar.ends_at,
        place=seminar.place,
        theme=seminar.theme,
        title=seminar.title,
    )
    with transaction.atomic():
        seminar.sequence += 1
        seminar.save()
        timeline_record(
            subject=seminar.group, verb="seminar.updated", actor=by, message=str(seminar)
        )
        outbox_publish(
            kind="seminar.scheduled",
            key=f"seminar:{seminar.pk}:seq{seminar.sequence}",
            payload={"seminar_id": seminar.pk, "sequence": seminar.sequence},
        )
    return seminar


def seminar_expected_memberships(*, seminar: Seminar):
    """Memberships of the companies expected at a seminar: in the group on its date (or now)."""
    horizon = max(seminar.starts_at, timezone.now())
    return (
        GroupMembership.objects.filter(group_id=seminar.group_id, joined_at__lte=horizon)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=seminar.starts_at))
        .select_related("enrolment__company__owner")
        .prefetch_related("enrolment__pilots")
        .order_by("enrolment__company__name")
    )


def seminar_attendance_record(
    *, seminar: Seminar, present: dict[int, bool], attendees: dict[int, str] | None = None, by=None
) -> list[SeminarAttendance]:
    """Record who came (enrolment id -> present); only the expected companies may be recorded."""
    _check_editor(by)
    attendees = attendees or {}
    expected = {m.enrolment_id for m in seminar_expected_memberships(seminar=seminar)}
    unknown = set(present) - expected
    if unknown:
        raise BusinessRuleError(_("Une des entreprises indiquées ne fait pas partie du groupe."))
    rows = []
    with transaction.atomic():
        # The seminar row is locked: two sheets sent at once are recorded one after the other
        # (the second updates the rows the first created, instead of failing to insert them).
        list(Seminar.objects.select_for_update().filter(pk=seminar.pk).values("pk"))
        existing = {a.enrolment_id: a for a in seminar.attendances.select_for_update()}
        now = timezone.now()
        for enrolment_id in sorted(expected):
            row = existing.get(enrolment_id) or SeminarAttendance(
                seminar=seminar, enrolment_id=enrolment_id
            )
            row.present = bool(present.get(enrolment_id, False))
            row.attendees = (attendees.get(enrolment_id) or "").strip()[:255]
            row.recorded_by = by
            row.recorded_at = now
            row.save()
            rows.append(row)
        timeline_record(
            subject=seminar.group,
            verb="seminar.attendance",
            actor=by,
            message=str(seminar),
            data={"present": sum(1 for r in rows if r.present), "expected": len(rows)},
        )
    return rows


def seminar_ics(*, seminar: Seminar, method: str = "REQUEST") -> str:
    """An iCalendar (RFC 5545) invitation: one VEVENT, UTC times, same UID across updates
    and a SEQUENCE that grows with each change (the `icalendar` package escapes and folds)."""
    _name, organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = seminar.group.relay.email or organizer
    description = seminar.notes
    if seminar.speaker_id:
        description = f"{_('Intervenant')} : {seminar.speaker}\n{description}".strip()
    calendar = Calendar()
    calendar.add("prodid", "-//Performance PME//Portail//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"seminaire-{seminar.pk}@performance-pme.fr")
    event.add("sequence", seminar.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", seminar.starts_at.astimezone(dt.UTC))
    event.add("dtend", seminar.ends_at.astimezone(dt.UTC))
    event.add("summary", f"{seminar.subject} — {seminar.group.name}")
    event.add("location", seminar.place)
    event.add("description", description)
    event.add(
        "organizer", vCalAddress(f"mailto:{organizer}"), parameters={"cn": seminar.group.relay.name}
    )
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def seminar_send_invitations(*, seminar: Seminar) -> int:
    """E-mail one invitation per member company (owner + pilots), with the .ics attached.

    Idempotent per SEQUENCE: a second run for the same version sends nothing.
    """
    with transaction.atomic():
        seminar = (
            Seminar.objects.select_for_update(of=("self",))
            .select_related("group__relay", "theme", "speaker__user")
            .get(pk=seminar.pk)
        )
        if seminar.invitations_sequence == seminar.sequence:
            return 0
        ics = seminar_ics(seminar=seminar)
        sent = 0
        for membership in seminar_expected_memberships(seminar=seminar).filter(
            left_at__isnull=True
        ):
            company = membership.enrolment.company
            recipients = [company.owner.email] if company.owner_id else []
            recipients += [p.email for p in membership.enrolment.pilots.all()]
            recipients = list(dict.fromkeys(r for r in recipients if r))
            if not recipients:
                continue
            context = {"seminar": seminar, "company": company, "updated": seminar.sequence > 0}
            message = PortalEmail(
                subject=render_to_string(
                    "collective/groups/email/invitation_subject.txt", context
                ).strip(),
                body=render_to_string("collective/groups/email/invitation_body.txt", context),
                to=recipients,
            )
            message.attach("seminaire.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
            message.send()
            sent += 1
        seminar.invitations_sent_at = timezone.now()
        seminar.invitations_sequence = seminar.sequence
        seminar.save(update_fields=["invitations_sent_at", "invitations_sequence"])
    return sent


def on_seminar_scheduled(message: OutboxMessage) -> None:
    seminar = Seminar.objects.filter(pk=message.payload.get("seminar_id")).first()
    if seminar is not None:
        seminar_send_invitations(seminar=seminar)


# --- selectors ---------------------------------------------------------------------------


def groups_for_user(*, user):
    return (
        TerritorialGroup.objects.visible_to(user)
        .with_member_count()
        .select_related("relay", "departement")
        .annotate(
            seminar_count=Count("seminars", distinct=True),
            next_seminar=Min(
                "seminars__starts_at", filter=Q(seminars__starts_at__gte=timezone.now())
            ),
        )
        .order_by("relay__name", "departement_id", "name")
    )


def group_detail_data(*, group: TerritorialGroup) -> dict:
    """Members (current and past), waiting list of the territory, seminars: a bounded query count."""
    memberships = list(
        group.memberships.select_related("enrolment__company", "enrolment__offer").order_by(
            "left_at", "enrolment__company__name"
        )
    )
    current = [m for m in memberships if m.left_at is None]
    past = [m for m in memberships if m.left_at is not None]
    waiting = list(
        GroupWaitlistEntry.objects.waiting()
        .filter(enrolment__company__relay_id=group.relay_id)
        .filter(
            Q(proposed_group=group)
            | Q(
                proposed_group__isnull=True, enrolment__company__departement_id=group.departement_id
            )
        )
        .select_related("enrolment__company__departement", "enrolment__offer", "proposed_group")
        .order_by("created_at")
    )
    seminars = list(
        group.seminars.select_related("theme", "speaker__user").annotate(
            present_count=Count("attendances", filter=Q(attendances__present=True))
        )
    )
    return {
        "current": current,
        "past": past,
        "waiting": waiting,
        "seminars": seminars,
        "count": len(current),
        "status": TerritorialGroup.status_for(len(current)),
        "room": max(settings.GROUP_MAX_COMPANIES - len(current), 0),
        "group_min": settings.GROUP_MIN_COMPANIES,
        "group_max": settings.GROUP_MAX_COMPANIES,
    }


def joinable_enrolments(*, group: TerritorialGroup):
    """Enrolments of the group's relay that may join (validated or later, in no group)."""
    return (
        Enrolment.objects.filter(company__relay_id=group.relay_id, state__in=GROUP_STATES)
        .exclude(group_memberships__left_at__isnull=True)
        .select_related("company__departement")
        .order_by("company__departement_id", "company__name")
    )


def waiting_list(*, user):
    return (
        GroupWaitlistEntry.objects.visible_to(user)
        .waiting()
        .select_related(
            "enrolment__company__departement", "enrolment__company__relay", "proposed_group"
        )
        .order_by("enrolment__company__relay__name", "created_at")
    )


def company_seminars(*, company) -> list[dict]:
    """The seminars of the groups a company belongs or belonged to, with its attendance."""
    memberships = list(
        GroupMembership.objects.filter(enrolment__company=company).select_related("group")
    )
    if not memberships:
        return []
    seminars = (
        Seminar.objects.filter(group__in={m.group_id for m in memberships})
        .select_related("group", "theme", "speaker__user")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=SeminarAttendance.objects.filter(enrolment__company=company),
                to_attr="company_attendance",
            )
        )
        .order_by("starts_at")
    )
    result = []
    for seminar in seminars:
        spans = [m for m in memberships if m.group_id == seminar.group_id]
        if not any(
            m.joined_at <= max(seminar.starts_at, timezone.now())
            and (m.left_at is None or m.left_at >= seminar.starts_at)
            for m in spans
        ):
            continue
        attendance = seminar.company_attendance[0] if seminar.company_attendance else None
        result.append({"seminar": seminar, "attendance": attendance})
    return result


# --- the company's dossier (enrolment.dossier) --------------------------------------------------


def dossier_group_context(enrolment, user) -> dict | None:
    """The dossier's "collective action" block: the group and its next seminar, if any."""
    membership = (
        GroupMembership.objects.filter(enrolment=enrolment, left_at__isnull=True)
        .select_related("group")
        .first()
    )
    if membership is None:
        return None
    next_seminar = (
        Seminar.objects.filter(group_id=membership.group_id, starts_at__gte=timezone.now())
        .select_related("theme")
        .order_by("starts_at")
        .first()
    )
    consent = (
        NetworkConsent.objects.filter(
            group_id=membership.group_id, company_id=enrolment.company_id
        ).first()
        if enrolment.company.owner_id == getattr(user, "pk", None)
        else None
    )
    return {"group": membership.group, "next_seminar": next_seminar, "consent": consent}


def register_dossier() -> None:
    register_dossier_section(
        template="collective/dossier_group.html", context=dossier_group_context, order=60
    )
