"""The demo data looks real: every state, and a submitted diagnosis from 'diagnosed' on."""

from decimal import Decimal

import pytest
from zeal import zeal_ignore

from agreements.models import Agreement
from diagnostics.models import Diagnosis
from enrolment import deminimis
from enrolment.models import DeMinimisDeclaration, Enrolment, EnrolmentState

pytestmark = pytest.mark.django_db
S = EnrolmentState
BEFORE_DIAGNOSIS = {S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}


def test_demo_enrolments_have_diagnoses_and_eligibility(demo_db, settings):
    settings.DEBUG = True
    with zeal_ignore():
        enrolments = list(Enrolment.objects.prefetch_related("diagnoses"))
    # every state a journey rests in ("submitted" does not last: eligibility is evaluated at once)
    assert {e.state for e in enrolments} == set(S.values) - {S.SUBMITTED}
    for e in enrolments:
        submitted = [d for d in e.diagnoses.all() if d.state == Diagnosis.State.SUBMITTED]
        if e.state not in BEFORE_DIAGNOSIS:
            assert submitted, f"{e} n'a pas d'autodiagnostic"
            assert submitted[0].recommendation["offer"] in {"ciblee", "approfondie"}
        if e.state not in {S.DRAFT, S.SUBMITTED}:
            assert [r["rule"] for r in e.eligibility] == ["sme", "territory", "industry"]
    # signed the product's way: every signed demo enrolment has its agreement and signature
    signed = Enrolment.objects.filter(signed_at__isnull=False)
    with_signature = Agreement.objects.filter(status="signed", signature__isnull=False)
    assert signed.count() > 20
    assert not signed.exclude(pk__in=with_signature.values("enrolment_id")).exists()
    closing = Diagnosis.objects.filter(purpose="closing")
    assert closing.count() == Enrolment.objects.filter(state=S.CLOSED).count()
    first = dict(
        Diagnosis.objects.filter(purpose="enrolment").values_list("company_id", "overall_score")
    )
    for d in closing:
        assert d.overall_score > first[d.company_id]  # the mission paid off


def test_demo_companies_declared_de_minimis_aid_one_close_to_the_ceiling(demo_db, settings):
    settings.DEBUG = True
    with zeal_ignore():
        declared = {
            d.enrolment.company.name: d
            for d in DeMinimisDeclaration.objects.select_related("enrolment__company")
            .prefetch_related("aids")
            .order_by("version")  # the latest version last: it wins
        }
        assert set(declared) == {"Fonderie du Forez", "Tôlerie Fine Lyonnaise"}
        near = declared["Tôlerie Fine Lyonnaise"].enrolment
        check = deminimis.assessment(near)
        foundry = declared["Fonderie du Forez"]
    assert check.headroom == Decimal("1850.00") and not check.exceeds
    assert check.declared > Decimal("150000.00")
    # the relay's correction (a forgotten aid) is the version in force, with its reason
    assert foundry.version == 2 and foundry.is_correction and foundry.reason
    assert sorted(a.amount for a in foundry.aids.all()) == [
        Decimal("12500.00"),
        Decimal("45000.00"),
    ]
