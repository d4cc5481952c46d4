"""Rules with one definition each, and every page, service and template that uses it agrees.

- role sets (core.roles): an administrator (role « admin », not a Django superuser) gets what
  every staff set gives, the template included;
- who writes a relay's ledger: the ledger page shows the payment button exactly to those the
  payment service accepts;
- when an instalment is overdue: the list's badge, the queryset and the reminder use one
  setting;
- offer kinds and the key-issues limit: the mission page offers a key issue exactly while the
  service accepts one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from catalogue.models import Offer
from catalogue.offers import KEY_ISSUES_MAX, is_targeted, pilots_required
from catalogue.selectors import tariff_in_force
from consultants.services import key_issue_create
from core.exceptions import BusinessRuleError
from core.models import Relay
from core.roles import (
    DIRECTION_ROLES,
    SEE_ALL_ROLES,
    STAFF_READER_ROLES,
    STAFF_ROLES,
    TEMPLATE_ROLE_SETS,
    Role,
    has_role,
    role_flags,
)
from enrolment.models import EnrolmentState
from funding.models import AidInstalment, Payment
from funding.reminders import PaymentOverdueRule
from funding.services import payment_record
from tests.consultants.factories import running_mission
from tests.factories import UserFactory
from tests.groups.factories import enrolment_at

pytestmark = pytest.mark.django_db
S = EnrolmentState


def test_every_staff_set_includes_the_administrator_role_and_the_superuser():
    admin = UserFactory.build(role=Role.ADMIN, is_superuser=False)
    superuser = UserFactory.build(role=Role.OWNER, is_superuser=True)
    for name, roles in TEMPLATE_ROLE_SETS.items():
        if roles & {Role.RELAY_STAFF, Role.DIRECTOR, Role.REGION}:
            assert Role.ADMIN in roles, name
        assert has_role(superuser, roles), name
    assert STAFF_ROLES < STAFF_READER_ROLES and DIRECTION_ROLES < SEE_ALL_ROLES
    assert role_flags(admin)["staff"] and not role_flags(UserFactory.build())["staff"]


def test_an_administrator_may_enrol_pilots_from_the_company_page(client):
    """The company page used to offer the training enrolment to relay staff and the
    director only; the service accepts every staff role, the administrator included."""
    with zeal_ignore():
        enrolment = enrolment_at(S.IN_PROGRESS, offer="approfondie", name="Forge Sud")
    admin = UserFactory(role=Role.ADMIN, is_superuser=False)
    client.force_login(admin)
    page = client.get(reverse("enrolment:company_detail", args=[enrolment.company_id]))
    assert page.status_code == 200
    assert "Inscrire les pilotes à la formation" in page.content.decode()
    client.force_login(enrolment.company.owner)
    page = client.get(reverse("enrolment:company_detail", args=[enrolment.company_id]))
    assert "Inscrire les pilotes à la formation" not in page.content.decode()


@pytest.mark.parametrize(
    "who, writes",
    [
        ("own relay staff", True),
        ("other relay staff", False),
        ("director", False),
        ("region", False),
        ("admin", True),
    ],
)
def test_the_ledger_page_offers_a_payment_exactly_to_who_may_record_it(client, who, writes):
    afpi = Relay.objects.get(slug="afpi")
    with zeal_ignore():
        enrolment = enrolment_at(S.AGREEMENT_SIGNED, name="Tôlerie Est")
    user = {
        "own relay staff": lambda: UserFactory(staff=True, relay=afpi),
        "other relay staff": lambda: UserFactory(staff=True, relay=Relay.objects.get(slug="cci")),
        "director": lambda: UserFactory(director=True),
        "region": lambda: UserFactory(region=True),
        "admin": lambda: UserFactory(role=Role.ADMIN, is_superuser=False),
    }[who]()
    client.force_login(user)
    page = client.get(reverse("funding:ledger", args=[afpi.slug]))
    shown = page.status_code == 200 and "Enregistrer un paiement" in page.content.decode()
    form = client.get(reverse("funding:payment_create", args=[afpi.slug])).status_code
    try:
        with zeal_ignore():
            payment_record(
                relay=afpi,
                kind=Payment.Kind.COMPANY,
                date=timezone.localdate(),
                amount=Decimal("10.00"),
                reference="VIR 1",
                company=enrolment.company,
                by=user,
            )
        accepted = True
    except BusinessRuleError:
        accepted = False
    assert (shown, form in (200, 302), accepted) == (writes, writes, writes)


def test_overdue_is_one_rule_for_the_list_the_query_and_the_reminder(client, settings):
    settings.REMINDER_DELAYS = {**settings.REMINDER_DELAYS, "payment_overdue": 12}
    with zeal_ignore():
        enrolment = enrolment_at(S.AGREEMENT_SIGNED, name="Décolletage Ouest")
    advance = AidInstalment.objects.get(enrolment=enrolment, kind="advance")
    today = timezone.localdate()
    region = UserFactory(region=True)
    client.force_login(region)
    for days_ago, overdue in [(11, False), (12, True)]:
        AidInstalment.objects.filter(pk=advance.pk).update(
            due_on=today - dt.timedelta(days=days_ago)
        )
        badge = "En retard" in client.get(reverse("funding:instalments")).content.decode()
        listed = AidInstalment.objects.overdue(today=today).filter(pk=advance.pk).exists()
        assert (badge, listed) == (overdue, overdue), days_ago
    assert PaymentOverdueRule().delay_days == 12


def test_offer_kinds_and_pilots_come_from_one_place():
    offers = {o.code: o for o in Offer.objects.all()}
    ciblee, approfondie = offers["ciblee"], offers["approfondie"]
    assert is_targeted(ciblee) and not is_targeted(approfondie) and not is_targeted(None)
    assert pilots_required(tariff_in_force(offer=ciblee)) == 1
    assert pilots_required(tariff_in_force(offer=approfondie)) == 2
    assert pilots_required(None) == 1  # a historical tariff that does not say


def test_the_mission_page_offers_a_key_issue_exactly_while_the_service_accepts_one(client):
    mission = running_mission(offer="approfondie")
    consultant = mission.consultant.user
    client.force_login(consultant)
    url = reverse("consultants:mission", args=[mission.pk]) + "?onglet=plans"
    for n in range(KEY_ISSUES_MAX):
        assert "Ajouter l'enjeu clé" in client.get(url).content.decode()
        with zeal_ignore():
            key_issue_create(mission=mission, by=consultant, title=f"Enjeu {n + 1}")
    assert "Ajouter l'enjeu clé" not in client.get(url).content.decode()
    with pytest.raises(BusinessRuleError, match=f"{KEY_ISSUES_MAX} enjeux clés au plus"):
        key_issue_create(mission=mission, by=consultant, title="Un de trop")
