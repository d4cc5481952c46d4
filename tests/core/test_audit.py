"""The audit trail: who changed what and when, the director's journal and the object pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from catalogue.models import Offer, Tariff
from catalogue.services import tariff_replace, tariff_save
from consultants import services as consultant_services
from consultants.models import Assignment, Expert
from core.audit import history_for, hydrate, journal_queryset
from core.money import format_eur
from core.roles import Role
from enrolment import actions
from enrolment.models import Enrolment, EnrolmentState, Pilot
from enrolment.selectors import enrolment_audit_history, enrolment_for_staff_detail
from funding.models import Payment
from funding.services import payment_record
from tests.builders import enrolment_at
from tests.consultants.factories import ExpertFactory, running_mission
from tests.enrolment.helpers import staff
from tests.factories import EnrolmentFactory, UserFactory
from tests.funding.factories import company as funding_company
from tests.funding.factories import signed_enrolment, staff_user

pytestmark = pytest.mark.django_db
S = EnrolmentState
JOURNAL = reverse("core:audit_log")


def _user(**kw):
    with zeal_ignore():
        return UserFactory(**kw)


def _offer_chosen():
    with zeal_ignore():
        return enrolment_at(S.OFFER_CHOSEN)


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def test_a_change_through_the_page_is_recorded_with_its_author_and_values(client):
    enrolment = _offer_chosen()
    relay_staff = staff(first_name="Claire", last_name="Martin")
    client.force_login(relay_staff)
    response = client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
    )
    assert response.status_code == 302
    last = Enrolment.history.filter(id=enrolment.pk).latest("history_date", "history_id")
    assert last.history_user == relay_staff
    assert last.state == S.VALIDATED
    assert last.prev_record.state == S.OFFER_CHOSEN
    [entry] = hydrate(journal_queryset(kinds=["enrolment.enrolment"])[:1])
    assert entry.user_label == "Claire Martin"
    changes = {c.field: (c.old, c.new) for c in entry.changes}
    assert changes["state"] == ("Offre choisie", "Validée par le relais")
    assert "validated_at" in changes  # the timestamp set by the transition is in the trail too


def test_changes_outside_a_request_are_the_systems(client):
    with zeal_ignore():
        enrolment = enrolment_at(S.DRAFT)
    client.force_login(staff())
    client.get(reverse("enrolment:staff_detail", args=[enrolment.pk]))  # no leak from a request
    # What a Celery task or a command does: a service call without any request (here the
    # submission, then the portal's own eligibility evaluation).
    with zeal_ignore():
        actions.submit(enrolment=enrolment, by=enrolment.company.owner)
    last = Enrolment.history.filter(id=enrolment.pk).latest("history_date", "history_id")
    assert last.history_user is None and last.state == S.ELIGIBLE
    client.force_login(_user(director=True))
    html = client.get(JOURNAL, {"system": "on"}).content.decode()
    assert "Système" in html and "Soumise → Éligible" in html


def test_the_director_and_the_admin_read_the_journal_and_no_one_else(client):
    enrolment = _offer_chosen()
    client.force_login(staff())
    client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
    )
    for user in (_user(director=True), _user(admin=True)):
        client.force_login(user)
        html = client.get(JOURNAL).content.decode()
        assert "Journal des modifications" in html
        assert "État : Offre choisie → Validée par le relais" in html
        assert enrolment.company.name in html
        assert reverse("core:audit_log") in client.get(reverse("core:home")).content.decode()
    for kw in (
        {"role": Role.RELAY_STAFF, "relay": enrolment.company.relay},
        {"region": True},
        {"consultant": True},
        {"owner": True},
    ):
        client.force_login(_user(**kw))
        assert client.get(JOURNAL).status_code == 403
        assert reverse("core:audit_log") not in client.get(reverse("core:home")).content.decode()
    client.logout()
    assert client.get(JOURNAL).status_code == 302


def test_the_journal_filters_by_kind_user_and_dates(client):
    enrolment = _offer_chosen()
    claire = staff(email="claire@afpi.test")
    client.force_login(claire)
    client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
    )
    client.force_login(_user(director=True))
    mine = client.get(JOURNAL, {"user": "claire@"}).content.decode()
    assert "Validée par le relais" in mine and "Création" not in mine
    assert (
        "Validée par le relais"
        not in client.get(JOURNAL, {"kind": "catalogue.tariff"}).content.decode()
    )
    assert (
        "Validée par le relais"
        in client.get(JOURNAL, {"kind": "enrolment.enrolment"}).content.decode()
    )
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert (
        "Validée par le relais" not in client.get(JOURNAL, {"date_from": tomorrow}).content.decode()
    )
    today = timezone.localdate().isoformat()
    html = client.get(JOURNAL, {"date_from": today, "date_to": today}).content.decode()
    assert "Validée par le relais" in html


def test_relay_staff_see_the_history_on_their_enrolment_and_other_relays_do_not(client):
    enrolment = _offer_chosen()
    with zeal_ignore():  # the owner corrects the pilot named at the offer step
        pilot = Pilot.objects.get(enrolment=enrolment, position=1)
        pilot.first_name, pilot.job_title = "Karim", "Chef d'atelier"
        pilot.save()
    own = staff(first_name="Claire", last_name="Martin")
    client.force_login(own)
    client.post(
        reverse("enrolment:staff_action", args=[enrolment.pk, "validate"]),
        {"version": enrolment.version},
    )
    url = reverse("enrolment:staff_detail", args=[enrolment.pk])
    html = client.get(url).content.decode()
    # one history on the relay's dossier page: the events and the audit trail, in words
    section = html.split('id="historique"')[1]
    assert "Claire Martin" in section and "Inscription validée par la structure relais" in section
    assert "Pilote interne : modification" in section and "Chef d&#x27;atelier" in section
    assert "validated" not in section and "offer_chosen" not in section
    client.force_login(staff("cci"))
    assert client.get(url).status_code == 404


def test_history_sections_keep_a_bounded_number_of_queries(client):
    enrolment = _offer_chosen()
    director = _user(director=True)
    client.force_login(director)
    detail = reverse("enrolment:staff_detail", args=[enrolment.pk])
    few = (_count(client, detail), _count(client, JOURNAL))
    with zeal_ignore():
        editors = [_user(director=True) for _ in range(5)]
        locked = Enrolment.objects.get(pk=enrolment.pk)
        for i in range(200):
            locked._history_user = editors[i % 5]
            locked.difficulty = f"Difficulté n° {i}"
            locked.save()
            if i % 10 == 0:  # pilots among the latest changes, as on the first page
                pilot = Pilot.objects.get(enrolment=enrolment, position=1)
                pilot.job_title = f"Fonction n° {i}"
                pilot.save()
        for i in range(20):
            EnrolmentFactory()
    assert Enrolment.history.count() > 200
    many = (_count(client, detail), _count(client, JOURNAL))
    assert few == many
    assert _count(client, JOURNAL, page=3) == many[1]


def _one_change_of_every_kind():
    """A payment, an expert, an enrolment with its pilots, mission and proposals, a tariff."""
    with zeal_ignore():
        signed = signed_enrolment(company=funding_company())
        relay = signed.company.relay
        payment_record(
            relay=relay,
            kind=Payment.Kind.COMPANY,
            date=timezone.localdate(),
            amount=Decimal("100.00"),
            reference="VIR",
            by=staff_user(relay),
            company=signed.company,
        )
        running_mission()
        expert = ExpertFactory()
        expert.capacity = 6
        expert.save()
        tariff = Tariff.objects.filter(valid_to__isnull=True).first()
        tariff.consultant_half_day_rate = Decimal("810.00")
        tariff.save()


def test_the_journal_counts_queries_the_same_for_5_and_200_changes_of_every_kind(client):
    _one_change_of_every_kind()
    assert Payment.history.exists() and Tariff.history.exists() and Pilot.history.exists()
    client.force_login(_user(director=True))
    few = _count(client, JOURNAL)
    with zeal_ignore():
        for i in range(100):
            EnrolmentFactory(difficulty=f"n° {i}")
        experts = ExpertFactory.create_batch(3)
        for i in range(100):
            expert = experts[i % 3]
            expert.firm = f"Cabinet {i}"
            expert.save()
    _one_change_of_every_kind()  # the first page shows every kind again
    many = _count(client, JOURNAL)
    assert few == many
    assert _count(client, JOURNAL, page=4) <= many


def test_money_choices_and_dates_are_shown_the_french_way():
    with zeal_ignore():
        offer = Offer.objects.create(code="essai", name="Essai")
        tariff = tariff_save(
            tariff=Tariff(
                offer=offer,
                valid_from=dt.date(2026, 1, 1),
                duration_months=4,
                company_contribution_ht=Decimal("2440.00"),
                regional_aid_ht=Decimal("2440.00"),
            )
        )
        new = tariff_replace(
            tariff=tariff, on=dt.date(2027, 1, 1), company_contribution_ht=Decimal("2500.00")
        )
    entries = history_for({"catalogue.tariff": Tariff.objects.filter(offer=offer)})
    closed = next(e for e in entries if e.object_id == tariff.pk and e.history_type == "~")
    [change] = closed.changes
    assert (change.label, change.old, change.new) == ("Valable jusqu'au", "—", "31/12/2026")
    created = next(e for e in entries if e.object_id == new.pk)
    values = {c.field: c.new for c in created.changes}
    assert values["company_contribution_ht"] == "2\u202f500,00\xa0€" == format_eur(Decimal("2500"))
    assert values["offer"] == "Essai" and values["includes_training"] == "Non"
    assert values["regional_advance_percent"] == "50,00 %"
    assert created.user_label == "Système" and created.action == "Création"


def test_a_payment_through_the_page_is_recorded_once_with_its_amount(client):
    with zeal_ignore():
        signed = signed_enrolment(company=funding_company())
        relay = signed.company.relay
        by = staff_user(relay)
    client.force_login(by)
    response = client.post(
        reverse("funding:payment_create", args=[relay.slug]),
        {
            "kind": "company",
            "date": timezone.localdate().isoformat(),
            "amount": "1 000,00",
            "reference": "VIR 2026-001",
            "company": signed.company_id,
        },
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    [row] = Payment.history.all()
    assert row.history_type == "+" and row.history_user == by and row.entry_id == payment.entry_id
    client.force_login(_user(director=True))
    html = client.get(JOURNAL, {"kind": "funding.payment"}).content.decode()
    assert "Montant : 1\u202f000,00\xa0€" in html and "Règlement d&#x27;une entreprise" in html


def test_proposals_replaced_in_bulk_and_pilots_chosen_are_in_the_trail(client):
    with zeal_ignore():
        mission = running_mission()
        first = Assignment.objects.get(mission=mission, status=Assignment.Status.ACCEPTED)
        second = ExpertFactory()
        director = _user(director=True)
        proposal = consultant_services.consultant_assign(
            enrolment=mission.enrolment, consultant=second, by=director
        )
    client.force_login(second.user)
    response = client.post(reverse("consultants:proposal_answer", args=[proposal.pk, "accept"]))
    assert response.status_code == 302
    replaced = Assignment.history.filter(id=first.pk).latest("history_date", "history_id")
    assert replaced.status == Assignment.Status.REPLACED and replaced.history_user == second.user
    # The mission page shows the consultant the trail of what they may see.
    html = client.get(reverse("consultants:mission", args=[mission.pk]), {"onglet": "synthese"})
    html = html.content.decode()
    section = html.split('id="audit-history"')[1]
    assert "Consultant : " in section and str(second) in section
    assert "Acceptée" in section
    # The company reads its mission without the audit trail.
    client.force_login(mission.enrolment.company.owner)
    html = client.get(reverse("consultants:mission", args=[mission.pk]), {"onglet": "synthese"})
    html = html.content.decode()
    assert 'id="audit-history"' not in html


def test_the_expert_profile_shows_its_changes_to_those_who_see_it(client):
    with zeal_ignore():
        expert = ExpertFactory(half_day_rate=Decimal("805.00"))
        expert.half_day_rate = Decimal("850.00")
        expert.accreditation = Expert.Accreditation.SUSPENDED
        expert.save()
    from diagnostics.models import Theme

    client.force_login(_user(admin=True))  # the admin edits the specialties (many-to-many)
    stocks = Theme.objects.get(code="stocks")
    with zeal_ignore():  # Django's admin form, not one of our pages
        response = client.post(
            reverse("admin:consultants_expert_change", args=[expert.pk]),
            {
                "user": expert.user_id,
                "kind": expert.kind,
                "firm": expert.firm,
                "specialties": [stocks.pk],
                "capacity": 4,
                "accreditation": expert.accreditation,
                "half_day_rate": "850.00",
                "created_at_0": "01/01/2026",
                "created_at_1": "09:00:00",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    url = reverse("consultants:profile", args=[expert.pk])
    client.force_login(staff())
    section = client.get(url).content.decode().split('id="audit-history"')[1]
    assert "805,00\xa0€ → 850,00\xa0€" in section and "Actif → Suspendu" in section
    assert f"Spécialités : — → {stocks.name}" in section
    client.force_login(_user(consultant=True))
    assert client.get(url).status_code == 404


def test_saving_without_a_change_writes_no_history():
    with zeal_ignore():
        expert = ExpertFactory()
        before = Expert.history.filter(id=expert.pk).count()
        Expert.objects.get(pk=expert.pk).save()
    assert Expert.history.filter(id=expert.pk).count() == before


def test_submitting_and_choosing_the_offer_record_eligibility_and_pilots():
    from diagnostics.models import Theme
    from tests.enrolment.helpers import diagnosed_enrolment

    enrolment = diagnosed_enrolment()
    rows = list(Enrolment.history.filter(id=enrolment.pk).order_by("history_date", "history_id"))
    with_eligibility = [r for r in rows if r.eligibility]
    # The eligibility result is saved with the decision it leads to (not on a stale copy).
    assert with_eligibility and with_eligibility[0].state == S.ELIGIBLE
    assert with_eligibility[0].prev_record.state == S.SUBMITTED
    pilot = {
        "first_name": "Karim",
        "last_name": "Pilote",
        "job_title": "Chef",
        "email": "k@t.example",
    }
    with zeal_ignore():
        actions.choose_offer(
            enrolment=enrolment,
            by=enrolment.company.owner,
            offer=Offer.objects.get(code="ciblee"),
            pilots=[pilot],
            problem_theme=Theme.objects.get(code="stocks"),
        )
        actions.send_back(enrolment=enrolment, by=staff(), comment="Revoir")
        actions.choose_offer(
            enrolment=enrolment,
            by=enrolment.company.owner,
            offer=Offer.objects.get(code="ciblee"),
            pilots=[{**pilot, "first_name": "Nadia"}],
            problem_theme=Theme.objects.get(code="stocks"),
        )
    kinds = list(
        Pilot.history.filter(enrolment_id=enrolment.pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", "first_name")
    )
    assert kinds == [("+", "Karim"), ("-", "Karim"), ("+", "Nadia")]
    viewer = staff()
    with zeal_ignore():
        entries = enrolment_audit_history(
            enrolment=enrolment_for_staff_detail(user=viewer, pk=enrolment.pk)
        )
    deleted = next(e for e in entries if e.history_type == "-")
    assert deleted.action == "Suppression" and deleted.object_label.startswith("n° ")
    assert {"Prénom": "Karim"}.items() <= {c.label: c.new for c in deleted.changes}.items()
    with pytest.raises(Http404):  # another relay's staff never reach the history
        enrolment_for_staff_detail(user=staff("cci"), pk=enrolment.pk)


def test_a_tariff_changed_in_the_admin_keeps_its_history_there(client):
    admin_user = _user(admin=True)
    tariff = Tariff.objects.filter(valid_to__isnull=True).first()
    client.force_login(admin_user)
    with zeal_ignore():  # Django's admin pages, not ours
        tariff.consultant_half_day_rate = Decimal("812.00")
        tariff._history_user = admin_user
        tariff.save()
        html = client.get(
            reverse("admin:catalogue_tariff_history", args=[tariff.pk])
        ).content.decode()
    assert str(admin_user) in html or admin_user.email in html
    client.force_login(_user(director=True))
    journal = client.get(JOURNAL, {"kind": "catalogue.tariff"}).content.decode()
    assert "812,00\xa0€" in journal
