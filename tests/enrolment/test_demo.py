"""The demo data looks real: every state, and a submitted diagnosis from 'diagnosed' on."""

import pytest
from zeal import zeal_ignore

from diagnostics.models import Diagnosis
from enrolment.models import Enrolment, EnrolmentState

pytestmark = pytest.mark.django_db
S = EnrolmentState
BEFORE_DIAGNOSIS = {S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}


def test_demo_enrolments_have_diagnoses_and_eligibility(demo_db, settings):
    settings.DEBUG = True
    with zeal_ignore():
        enrolments = list(Enrolment.objects.prefetch_related("diagnoses"))
    assert {e.state for e in enrolments} == set(S.values)
    for e in enrolments:
        submitted = [d for d in e.diagnoses.all() if d.state == Diagnosis.State.SUBMITTED]
        if e.state not in BEFORE_DIAGNOSIS:
            assert submitted, f"{e} n'a pas d'autodiagnostic"
            assert submitted[0].recommendation["offer"] in {"ciblee", "approfondie"}
        if e.state not in {S.DRAFT, S.SUBMITTED}:
            assert [r["rule"] for r in e.eligibility] == ["sme", "territory", "industry"]
    closing = Diagnosis.objects.filter(purpose="closing")
    assert closing.count() == Enrolment.objects.filter(state=S.CLOSED).count()
    first = dict(
        Diagnosis.objects.filter(purpose="enrolment").values_list("company_id", "overall_score")
    )
    for d in closing:
        assert d.overall_score > first[d.company_id]  # the mission paid off
