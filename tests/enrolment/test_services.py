"""The enrolment journey's rules, through the services."""

from decimal import Decimal

import pytest
from zeal import zeal_ignore

from catalogue.models import Offer
from core.exceptions import BusinessRuleError
from core.models import Relay, TimelineEvent
from diagnostics.models import Theme
from enrolment.actions import choose_offer as enrolment_choose_offer
from enrolment.actions import derogate as enrolment_override_eligibility
from enrolment.actions import send_back as enrolment_send_back
from enrolment.actions import submit as enrolment_submit
from enrolment.actions import validate as enrolment_validate
from enrolment.models import Enrolment, EnrolmentState
from enrolment.services import (
    company_update,
    enrolment_add_note,
    enrolment_reattach,
    enrolment_start,
)
from tests.builders import enrolment_at
from tests.enrolment.helpers import PILOT, PILOT2, diagnosed_enrolment, eligible_enrolment, staff
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory, valid_siret

pytestmark = pytest.mark.django_db
S = EnrolmentState


def test_start_creates_a_draft_attached_to_the_relay_of_the_territory():
    owner = UserFactory()
    enrolment = enrolment_start(
        owner=owner,
        siret=valid_siret(901),
        prefill={"name": "Forge du Pilat", "postcode": "42400", "naf_code": "2550A"},
    )
    company = enrolment.company
    assert enrolment.state == S.DRAFT
    assert company.owner == owner and company.name == "Forge du Pilat"
    assert company.naf_code == "25.50A"
    assert company.relay == Relay.objects.get(slug="pole-productique")


def test_start_twice_resumes_the_same_draft():
    owner = UserFactory()
    first = enrolment_start(owner=owner, siret=valid_siret(902))
    second = enrolment_start(owner=owner, siret=valid_siret(902))
    assert first.pk == second.pk
    assert Enrolment.objects.filter(company__siret=valid_siret(902)).count() == 1


def test_second_attempt_by_someone_else_is_told_whom_to_contact():
    enrolment = EnrolmentFactory()
    relay = enrolment.company.relay
    relay.email, relay.phone = "contact@afpi.test", "04 78 00 00 00"
    relay.save()
    with pytest.raises(BusinessRuleError) as exc:
        enrolment_start(owner=UserFactory(), siret=enrolment.company.siret)
    assert "existe déjà" in exc.value.message
    assert "contact@afpi.test" in exc.value.message and "04 78 00 00 00" in exc.value.message


def test_a_company_that_withdrew_may_enrol_again():
    enrolment = enrolment_at(S.WITHDRAWN)
    again = enrolment_start(owner=enrolment.company.owner, siret=enrolment.company.siret)
    assert again.pk != enrolment.pk and again.state == S.DRAFT


def test_submit_eligible_records_each_rule_with_its_reason():
    enrolment = eligible_enrolment()
    assert enrolment.state == S.ELIGIBLE
    assert [r["rule"] for r in enrolment.eligibility] == ["sme", "territory", "industry"]
    assert all(r["ok"] for r in enrolment.eligibility)
    assert enrolment.submitted_at is not None


def test_ineligible_request_is_kept_with_the_failing_reasons():
    company = CompanyFactory(headcount=300, turnover=Decimal("1000000.00"), naf_code="49.41A")
    enrolment = enrolment_submit(enrolment=EnrolmentFactory(company=company), by=company.owner)
    assert enrolment.state == S.INELIGIBLE
    failing = {r["rule"]: r["reason"] for r in enrolment.eligibility if not r["ok"]}
    assert set(failing) == {"sme", "industry"}
    assert "300 salariés" in failing["sme"]
    event = TimelineEvent.objects.filter(object_id=enrolment.pk, to_state=S.INELIGIBLE).get()
    assert event.actor is None  # the portal decided


def test_submit_refuses_an_incomplete_identity():
    company = CompanyFactory(naf_code="", headcount=None)
    with pytest.raises(BusinessRuleError, match="Complétez"):
        enrolment_submit(enrolment=EnrolmentFactory(company=company), by=company.owner)


def test_staff_override_needs_a_written_justification():
    company = CompanyFactory(naf_code="49.41A", turnover=Decimal("1000000.00"))
    enrolment = enrolment_submit(enrolment=EnrolmentFactory(company=company), by=company.owner)
    with pytest.raises(BusinessRuleError, match="justifiée"):
        enrolment_override_eligibility(enrolment=enrolment, by=staff(), justification=" ")
    enrolment_override_eligibility(
        enrolment=enrolment, by=staff(), justification="Transport frigorifique d'un industriel."
    )
    assert enrolment.state == S.ELIGIBLE
    assert enrolment.eligibility_override.startswith("Transport")


def test_stale_version_is_refused():
    enrolment = EnrolmentFactory()
    stale = enrolment.version
    company_update(
        enrolment=enrolment,
        by=enrolment.company.owner,
        data={"city": "Lyon"},
        expected_version=stale,
    )
    with pytest.raises(BusinessRuleError, match="modifiée entre-temps"):
        company_update(
            enrolment=enrolment,
            by=enrolment.company.owner,
            data={"city": "Bron"},
            expected_version=stale,
        )
    enrolment.company.refresh_from_db()
    assert enrolment.company.city == "Lyon"


def test_postcode_change_moves_the_company_to_its_territory_relay():
    enrolment = EnrolmentFactory()
    company_update(enrolment=enrolment, by=enrolment.company.owner, data={"postcode": "74300"})
    enrolment.company.refresh_from_db()
    assert enrolment.company.relay.slug == "thesame"
    assert enrolment.company.departement_id == "74"


def test_diagnosis_submission_moves_eligible_to_diagnosed():
    enrolment = diagnosed_enrolment()
    assert enrolment.state == S.DIAGNOSED
    assert enrolment.diagnoses.get().recommendation["offer"] == "ciblee"


class TestChooseOffer:
    def test_ciblee_needs_one_pilot_and_a_problem_and_keeps_the_tariff(self):
        enrolment = diagnosed_enrolment()
        ciblee = Offer.objects.get(code="ciblee")
        with pytest.raises(BusinessRuleError, match="problème"):
            enrolment_choose_offer(
                enrolment=enrolment, by=enrolment.company.owner, offer=ciblee, pilots=[PILOT]
            )
        with pytest.raises(BusinessRuleError, match="1 pilote"):
            enrolment_choose_offer(
                enrolment=enrolment,
                by=enrolment.company.owner,
                offer=ciblee,
                pilots=[],
                problem_theme=Theme.objects.get(code="stocks"),
            )
        enrolment_choose_offer(
            enrolment=enrolment,
            by=enrolment.company.owner,
            offer=ciblee,
            pilots=[PILOT],
            problem_theme=Theme.objects.get(code="stocks"),
        )
        assert enrolment.state == S.OFFER_CHOSEN
        assert enrolment.tariff.company_contribution_ht == Decimal("2440.00")
        assert enrolment.pilots.count() == 1

    def test_approfondie_needs_two_pilots(self):
        enrolment = diagnosed_enrolment(weak=("stocks", "achats"))
        approfondie = Offer.objects.get(code="approfondie")
        with pytest.raises(BusinessRuleError, match="2 pilote"):
            enrolment_choose_offer(
                enrolment=enrolment, by=enrolment.company.owner, offer=approfondie, pilots=[PILOT]
            )
        enrolment_choose_offer(
            enrolment=enrolment,
            by=enrolment.company.owner,
            offer=approfondie,
            pilots=[PILOT, PILOT2],
        )
        assert list(enrolment.pilots.values_list("position", flat=True)) == [1, 2]
        assert enrolment.problem_theme is None

    def test_a_second_submission_is_refused(self):
        enrolment = diagnosed_enrolment()
        args = {
            "by": enrolment.company.owner,
            "offer": Offer.objects.get(code="ciblee"),
            "pilots": [PILOT],
            "problem_theme": Theme.objects.get(code="stocks"),
        }
        version = enrolment.version
        enrolment_choose_offer(enrolment=enrolment, expected_version=version, **args)
        with pytest.raises(BusinessRuleError):
            enrolment_choose_offer(enrolment=enrolment, expected_version=version, **args)
        assert enrolment.pilots.count() == 1


def test_relay_validates_or_sends_back_with_a_comment():
    enrolment = enrolment_at(S.OFFER_CHOSEN)
    with pytest.raises(BusinessRuleError, match="revoir"):
        enrolment_send_back(enrolment=enrolment, by=staff(), comment="")
    enrolment_send_back(enrolment=enrolment, by=staff(), comment="Le pilote doit être salarié.")
    assert enrolment.state == S.DIAGNOSED
    with zeal_ignore():
        enrolment = enrolment_at(S.OFFER_CHOSEN)
    enrolment_validate(enrolment=enrolment, by=staff())
    assert enrolment.state == S.VALIDATED and enrolment.validated_at


def test_region_cannot_validate():
    enrolment = enrolment_at(S.OFFER_CHOSEN)
    with pytest.raises(BusinessRuleError, match="pas autorisé"):
        enrolment_validate(enrolment=enrolment, by=UserFactory(region=True))


def test_reattach_and_internal_note_are_in_the_timeline_as_internal():
    enrolment = EnrolmentFactory()
    cci = Relay.objects.get(slug="cci")
    enrolment_reattach(enrolment=enrolment, by=staff(), relay=cci, reason="Adhérent CCI")
    enrolment_add_note(enrolment=enrolment, by=staff(), text="Appeler le dirigeant lundi.")
    enrolment.company.refresh_from_db()
    assert enrolment.company.relay == cci
    events = TimelineEvent.objects.filter(object_id=enrolment.pk, verb__in=["reattached", "note"])
    assert events.count() == 2 and all(e.internal for e in events)
    with pytest.raises(BusinessRuleError):
        enrolment_reattach(enrolment=enrolment, by=enrolment.company.owner, relay=cci)


def test_a_reattached_dossier_leaves_the_old_relays_list_for_the_new_one():
    """The list reads the relay the database copies onto each enrolment: it follows the
    company when it is created, when it changes relay, and whatever wrote the enrolment."""
    with zeal_ignore():
        enrolment = EnrolmentFactory()
        old_relay, cci = enrolment.company.relay, Relay.objects.get(slug="cci")
        other = Enrolment.objects.create(company=CompanyFactory(relay=old_relay))  # no factory
        old_staff = UserFactory(role="relay_staff", relay=old_relay)
        cci_staff = UserFactory(role="relay_staff", relay=cci)
    assert old_relay != cci

    def seen_by(user) -> set[int]:
        return set(Enrolment.objects.visible_to(user).values_list("pk", flat=True))

    assert seen_by(old_staff) == {enrolment.pk, other.pk}
    assert seen_by(cci_staff) == set()
    enrolment_reattach(enrolment=enrolment, by=old_staff, relay=cci)
    assert seen_by(old_staff) == {other.pk}
    assert seen_by(cci_staff) == {enrolment.pk}
    Enrolment.objects.filter(pk=other.pk).update(relay=cci)  # a stray write is corrected
    assert seen_by(cci_staff) == {enrolment.pk}
    assert seen_by(old_staff) == {other.pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_the_siret_step_creates_one_enrolment():
    """Two requests at the same instant, on two connections: one draft, both see it."""
    import threading

    from django.db import connection

    with zeal_ignore():
        import importlib

        from django.apps import apps

        class TodaysApps:  # the reference data's migrations, run against today's models
            @staticmethod
            def get_model(app_label, name):
                moved = {"Offer", "Tariff", "VatRate"}  # funding → catalogue
                return apps.get_model("catalogue" if name in moved else app_label, name)

        for module in [
            "core.migrations.0002_reference_relays_departements",
            "funding.migrations.0002_reference_offers_tariffs",
        ]:
            importlib.import_module(module).load(TodaysApps, None)
        owner = UserFactory()
    siret = valid_siret(903)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def click():
        try:
            barrier.wait()
            results.append(enrolment_start(owner=owner, siret=siret).pk)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    assert Enrolment.objects.filter(company__siret=siret).count() == 1
