"""Personal data held by the collective action: follow-up, satisfaction and seminar e-mails
sent, free text of follow-ups and satisfaction answers, attendances and memberships, and the
group's network (the contact person, e-mail and free text of each consent) (registered in
ready())."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from core.personal_data import (
    Activity,
    Anonymisation,
    Person,
    is_anonymous_email,
    iso,
    register_personal_data,
    scrub_queryset,
)

from .models import (
    NETWORK_FIELDS,
    FollowUp,
    GroupMembership,
    NetworkConsent,
    SatisfactionSurvey,
    Seminar,
    SeminarAttendance,
)


def export(person: Person) -> dict[str, Any]:
    return {
        "emails_received": _emails_received(person),
        "satisfaction_answers": _satisfaction_answers(person),
        "group_network_consents": _network_consents(person),
    }


def _consents_of(person: Person):
    """The consents of the person's companies, and those naming them as the contact."""
    condition = Q(contact_email__iexact=person.email) if person.email else Q(pk__in=[])
    if person.user is not None:
        condition |= Q(company__owner=person.user)
    return NetworkConsent.objects.filter(condition)


def _network_consents(person: Person) -> list[dict[str, Any]]:
    """What the person's companies show the members of their groups, or the cards naming them."""
    return [
        {
            "group": c.group.name,
            "company": c.company.name,
            "state": c.state,
            "shown": [name.removeprefix("show_") for name in NETWORK_FIELDS if getattr(c, name)],
            "activity": c.activity,
            "contact_name": c.contact_name,
            "contact_email": c.contact_email,
            "working_on": c.working_on,
            "given_at": iso(c.given_at),
            "changed_at": iso(c.changed_at),
            "withdrawn_at": iso(c.withdrawn_at),
        }
        for c in _consents_of(person).select_related("group", "company").order_by("pk")
    ]


def names(person: Person) -> list[str]:
    """The names the person is given as a group's contact (full names only)."""
    if not person.email:
        return []
    return [
        name
        for name in NetworkConsent.objects.filter(contact_email__iexact=person.email)
        .exclude(contact_name="")
        .values_list("contact_name", flat=True)
        if " " in name.strip()
    ]


def subject(person: Person):
    """A contact person without an account: the first consent naming them."""
    if not person.email:
        return None
    return NetworkConsent.objects.filter(contact_email__iexact=person.email).order_by("pk").first()


def _anonymise_network(ctx: Anonymisation) -> int:
    """The person as a group's contact: the contact is erased from the card (the consent is
    withdrawn when nothing else was shown); their names scrubbed from every card's text."""
    changed = 0
    now = timezone.now()
    for consent in NetworkConsent.objects.filter(contact_email__iexact=ctx.person.email):
        consent.contact_name = consent.contact_email = ""
        consent.show_contact = False
        if consent.state == NetworkConsent.State.GIVEN and not any(
            getattr(consent, name) for name in NETWORK_FIELDS
        ):
            consent.state = NetworkConsent.State.WITHDRAWN
            consent.withdrawn_at = now
        consent.changed_at = now
        consent.save()
        changed += 1
    changed += scrub_queryset(
        NetworkConsent.objects.all(), ["contact_name", "activity", "working_on"], ctx
    )
    return changed


def _satisfaction_answers(person: Person) -> list[dict[str, Any]]:
    """The owner's answers to the satisfaction questionnaires (scores and free comment)."""
    if person.user is None:
        return []
    return [
        {
            "company": s.mission.enrolment.company.name,
            "consultant": str(s.mission.consultant) if s.mission.consultant_id else "",
            "answered_at": iso(s.answered_at),
            "listening": s.score_listening,
            "competence": s.score_competence,
            "method": s.score_method,
            "results": s.score_results,
            "programme": s.score_programme,
            "would_recommend": s.would_recommend,
            "comment": s.comment,
        }
        for s in SatisfactionSurvey.objects.answered()
        .filter(mission__enrolment__company__owner=person.user)
        .select_related("mission__enrolment__company", "mission__consultant__user")
        .order_by("answered_at", "pk")
    ]


def _emails_received(person: Person) -> list[dict[str, Any]]:
    """The programme's e-mails (other than reminders): follow-up links, seminar invitations."""
    emails = []
    if person.user is not None:
        for f in FollowUp.objects.filter(
            enrolment__company__owner=person.user, sent_at__isnull=False
        ).select_related("enrolment__company"):
            emails.append(
                {
                    "kind": "follow_up_link",
                    "company": f.enrolment.company.name,
                    "about": f"{f.due_months} mois",
                    "sent_at": iso(f.sent_at),
                }
            )
        for s in SatisfactionSurvey.objects.filter(
            mission__enrolment__company__owner=person.user, sent_at__isnull=False
        ).select_related("mission__enrolment__company"):
            emails.append(
                {
                    "kind": "satisfaction_link",
                    "company": s.mission.enrolment.company.name,
                    "sent_at": iso(s.sent_at),
                }
            )
    members = Q(group__memberships__enrolment__pilots__email__iexact=person.email)
    if person.user is not None:
        members |= Q(group__memberships__enrolment__company__owner=person.user)
    for seminar in (
        Seminar.objects.filter(members, invitations_sent_at__isnull=False)
        .select_related("theme")
        .distinct()
    ):
        emails.append(
            {
                "kind": "seminar_invitation",
                "about": seminar.subject,
                "starts_at": iso(seminar.starts_at),
                "place": seminar.place,
                "sent_at": iso(seminar.invitations_sent_at),
            }
        )
    return emails


def anonymise(ctx: Anonymisation) -> int:
    changed = scrub_queryset(
        FollowUp.objects.all(), ["comment", "indicators_tracked", "latest_values"], ctx
    )
    # the owner's own free comments go (their scores stay, anonymous, in the statistics);
    # a name of the person in anyone else's comment is scrubbed
    if ctx.person.user is not None:
        changed += (
            SatisfactionSurvey.objects.filter(mission__enrolment__company__owner=ctx.person.user)
            .exclude(comment="")
            .update(comment="")
        )
    changed += scrub_queryset(SatisfactionSurvey.objects.all(), ["comment"], ctx)
    changed += scrub_queryset(SeminarAttendance.objects.all(), ["attendees"], ctx)
    changed += scrub_queryset(GroupMembership.objects.all(), ["left_reason"], ctx)
    changed += _anonymise_network(ctx)
    return changed


def activity() -> Iterable[Activity]:
    """Owners who answered a follow-up were active then."""
    for email, answered_at in FollowUp.objects.filter(
        answered_at__isnull=False, enrolment__company__owner__isnull=False
    ).values_list("enrolment__company__owner__email", "answered_at"):
        yield email, answered_at, False
    for email, answered_at in SatisfactionSurvey.objects.filter(
        answered_at__isnull=False, mission__enrolment__company__owner__isnull=False
    ).values_list("mission__enrolment__company__owner__email", "answered_at"):
        yield email, answered_at, False
    # A group's contact person stays active while the card showing them is up.
    for email, changed_at, state in NetworkConsent.objects.exclude(contact_email="").values_list(
        "contact_email", "changed_at", "state"
    ):
        if not is_anonymous_email(email):
            yield email, changed_at, state == NetworkConsent.State.GIVEN


def register() -> None:
    register_personal_data(
        key="collective",
        export=export,
        names=names,
        subject=subject,
        anonymise=anonymise,
        activity=activity,
        order=35,
    )
