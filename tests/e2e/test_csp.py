"""The pages that run JavaScript work in Chromium under the Content Security Policy.

Each test listens to the browser's ``securitypolicyviolation`` events and to its console: a
blocked script, style or handler would show there. It also checks that the script does its job.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import expect
from zeal import zeal_ignore

from agreements.services import agreement_batch_start
from core.models import OutboxMessage
from core.outbox import outbox_process_message
from diagnostics.models import Diagnosis
from diagnostics.services import diagnosis_start
from enrolment.models import ExportJob
from tests.agreements.helpers import enrolment_validated, staff_user
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def csp(page):
    """Collects the CSP violations of every document the page opens."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(WATCH)

    def violations() -> list[str]:
        """The violations reported since the last call (console and DOM events)."""
        found = seen + page.evaluate("window.__csp || []")
        seen.clear()
        page.evaluate("window.__csp = []")
        return found

    return violations


def test_questionnaire_autosaves_and_language_switches_under_csp(page, login, csp):
    with zeal_ignore():
        company = CompanyFactory()
        draft = diagnosis_start(company=company, by=company.owner)
    login(company.owner.email, PASSWORD)
    page.goto(reverse("diagnostics:theme", args=[draft.pk, 1]))
    assert page.evaluate("window.__csp") == []
    page.locator("label[for='q-rc1-3']").click()
    page.get_by_text("Réponse enregistrée (1 / 45)").wait_for()
    assert page.locator("#answered-count").inner_text() == "1"  # the progress bar follows
    assert Diagnosis.objects.get(pk=draft.pk).answers == {"rc1": 3}
    # the language switcher submits itself (portal.js, no onchange attribute)
    page.select_option("#lang-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert csp() == []


def test_staff_list_select_all_ticks_every_row(page, login, csp):
    with zeal_ignore():
        staff = UserFactory(staff=True)
        for _ in range(3):
            EnrolmentFactory(company__relay=staff.relay)
    login(staff.email, PASSWORD)
    page.goto(reverse("enrolment:staff_list"))
    boxes = page.locator('input[name="selection"][form="bulk-form"]')
    assert boxes.count() == 3
    page.locator("#select-all").check()
    assert all(boxes.nth(i).is_checked() for i in range(3))
    page.locator("#select-all").uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(3))
    assert csp() == []


def test_export_progress_updates_then_offers_the_file(page, login, csp):
    with zeal_ignore():
        staff = UserFactory(staff=True)
        job = ExportJob.objects.create(
            requested_by=staff, status=ExportJob.Status.RUNNING, total=800, done=200
        )
    login(staff.email, PASSWORD)
    page.goto(reverse("enrolment:export_status", args=[job.pk]))
    bar = page.locator("#export-progress")
    assert bar.evaluate("b => b.value") == 25
    assert page.locator("#export-link").is_hidden()
    ExportJob.objects.filter(pk=job.pk).update(done=600)
    expect(bar).to_have_js_property("value", 75)
    job.file.save("inscriptions.csv", ContentFile(b"a;b\n"), save=False)
    ExportJob.objects.filter(pk=job.pk).update(done=800, status="done", file=job.file.name)
    page.get_by_role("link", name="Télécharger le fichier CSV").wait_for()
    assert bar.evaluate("b => b.value") == 100
    assert "terminé — 800 / 800" in page.locator("#export-state").inner_text()
    assert csp() == []


def test_agreement_batch_progress_fills_then_offers_the_zip(page, login, csp):
    with zeal_ignore():
        staff = staff_user()
        enrolments = [enrolment_validated(staff=staff) for _ in range(2)]
        OutboxMessage.objects.filter(kind="enrolment.validated").update(status="done")
        batch = agreement_batch_start(user=staff, enrolment_ids=[e.pk for e in enrolments])
    login(staff.email, PASSWORD)
    page.goto(reverse("agreements:agreement_batch_detail", args=[batch.pk]))
    assert page.locator("#batch-bar").evaluate("b => b.value") == 0
    assert page.locator("#batch-zip").is_hidden()
    pending = OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True)
    with zeal_ignore():
        first, *rest = list(pending)
        outbox_process_message(first)  # one agreement rendered (WeasyPrint) by the real handler
    expect(page.locator("#batch-bar")).to_have_js_property("value", 50)
    assert "1 sur 2 générée(s), 0 en échec." in page.locator("#batch-status").inner_text()
    with zeal_ignore():
        for pk in rest:
            outbox_process_message(pk)
    page.get_by_role("link", name="Télécharger les conventions (ZIP)").wait_for()
    assert page.locator("#batch-percent").inner_text() == "100 %"
    assert csp() == []


def test_api_docs_and_admin_work_under_csp(page, login, csp):
    page.goto("/api/v1/docs/")
    page.get_by_text("/api/v1/enrolments/{id}/transition/").first.wait_for()
    assert csp() == [], "Swagger UI"
    with zeal_ignore():
        admin = UserFactory(role="admin", is_staff=True, is_superuser=True)
        EnrolmentFactory.create_batch(2)
    login(admin.email, PASSWORD)
    page.goto("/admin/enrolment/enrolment/")
    page.locator("#action-toggle").check()  # the admin's actions.js
    assert page.locator("input.action-select:checked").count() == 2
    page.goto("/admin/core/user/add/")
    page.locator("#id_password1").wait_for()
    assert csp() == [], "admin"
