"""An existing database migrates without loss across the move of models between apps.

The offers, tariffs and VAT rates moved from `funding` to `catalogue`, the target and
milestones to `reporting`, agreements to `agreements`, groups, seminars and follow-ups to
`collective` (tables kept, content types relabelled). The test goes back to the migration
state before the moves, fills every moved table (and the rows that point at them: the
enrolment's offer, the tariff's history, timeline and reminder rows through content types,
a permission granted to a group) through that historical state's ORM, then migrates forward
and compares row counts per table, the ledger's balances and where those pointers lead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations import RunSQL, SeparateDatabaseAndState
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from zeal import zeal_ignore

from agreements.models import Agreement
from catalogue.models import Tariff
from collective.models import Seminar
from core.models import ReminderSent, TimelineEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: The last migration of each app before the moves; the new apps did not exist.
BEFORE_MOVES = [
    ("core", "0003_reminders_outbox_attempts"),
    ("diagnostics", "0004_load_questionnaire_v1"),
    ("enrolment", "0007_company_name_trigram_index"),
    ("consultants", "0005_audit_history"),
    ("funding", "0010_journal_entry_relay_date_id_index"),
    ("api", "0001_api_tokens"),
    ("catalogue", None),
    ("agreements", None),
    ("collective", None),
    ("reporting", None),
]


def _migrate(executor: MigrationExecutor, targets) -> None:
    executor.loader.build_graph()  # what is applied now
    executor.migrate(targets)


def _back_before_the_moves(executor: MigrationExecutor) -> None:
    """The database as the previous commit built it.

    The moves change no table: their migrations hold state operations and SQL on content
    types only (asserted here). Undoing that SQL and unrecording them is what unapplying
    them does, without Django's costly state rendering for a backward plan; any other
    operation (a later migration of these apps) takes the executor's real way back.
    """
    plan = executor.migration_plan(BEFORE_MOVES)
    assert plan and all(backwards for _migration, backwards in plan)
    operations = [op for migration, _ in plan for op in migration.operations]
    if not all(
        isinstance(op, RunSQL)
        or (isinstance(op, SeparateDatabaseAndState) and not op.database_operations)
        for op in operations
    ):
        _migrate(executor, BEFORE_MOVES)
        return
    with connection.schema_editor(atomic=True) as editor:
        for migration, _backwards in plan:
            for op in reversed(migration.operations):
                if isinstance(op, RunSQL):
                    op.database_backwards(migration.app_label, editor, None, None)
            executor.recorder.record_unapplied(migration.app_label, migration.name)


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'django_migrations' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - catalogue names
            counts[table] = cursor.fetchone()[0]
    return counts


def _balances() -> dict[tuple[int, str], Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.relay_id, a.code, sum(l.debit) - sum(l.credit) FROM funding_journalline l "
            "JOIN funding_account a ON a.id = l.account_id GROUP BY 1, 2"
        )
        return {(relay, code): balance for relay, code, balance in cursor.fetchall()}


def _fill_old_state(apps) -> dict:
    """One row in every moved table, and rows pointing at them, as the old code wrote them."""
    get = apps.get_model
    now = timezone.now()
    today = timezone.localdate()
    relay = get("core", "Relay").objects.order_by("pk").first()
    departement = get("core", "Departement").objects.order_by("code").first()
    user = get("core", "User").objects.create(
        email="ancien@test.example", role="relay_staff", relay=relay
    )
    theme = get("diagnostics", "Theme").objects.order_by("pk").first()

    offer = get("funding", "Offer").objects.create(code="ancienne", name="Offre ancienne")
    tariff = get("funding", "Tariff").objects.create(
        offer=offer,
        valid_from=dt.date(2020, 1, 1),
        duration_months=4,
        half_days=8,
        pilots=1,
        company_contribution_ht=Decimal("2440.00"),
        regional_aid_ht=Decimal("4000.00"),
    )
    get("funding", "HistoricalTariff").objects.create(
        id=tariff.pk,
        offer_id=offer.pk,
        valid_from=tariff.valid_from,
        duration_months=4,
        half_days=8,
        pilots=1,
        includes_training=False,
        company_contribution_ht=Decimal("2440.00"),
        regional_aid_ht=Decimal("4000.00"),
        state_aid_ht=Decimal("0"),
        fse_aid_ht=Decimal("0"),
        regional_advance_percent=Decimal("50.00"),
        history_date=now,
        history_type="+",
        history_user=user,
    )
    get("funding", "VatRate").objects.create(rate=Decimal("20.00"), valid_from=dt.date(1990, 1, 1))
    target = get("funding", "ProgrammeTarget").objects.create(
        name="Programme ancien",
        target_enrolments=300,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        budget_envelope=Decimal("1000000.00"),
    )
    get("funding", "Milestone").objects.create(target=target, due_on=today, enrolments=10)

    company = get("enrolment", "Company").objects.create(
        siret="30000099900019", name="Entreprise ancienne", relay=relay, departement=departement
    )
    enrolment = get("enrolment", "Enrolment").objects.create(
        company=company, state="in_progress", offer=offer, tariff=tariff
    )
    agreement = get("enrolment", "Agreement").objects.create(
        enrolment=enrolment,
        version=1,
        file="conventions/ancienne.pdf",
        sha256="a" * 64,
        content_hash="b" * 64,
        status="signed",
    )
    get("enrolment", "AgreementSignature").objects.create(
        agreement=agreement, method="scanned", signed_by=user, version=1, checksum="a" * 64
    )
    batch = get("enrolment", "AgreementBatch").objects.create(created_by=user)
    get("enrolment", "AgreementBatchItem").objects.create(
        batch=batch, enrolment=enrolment, status="done", agreement=agreement
    )
    group = get("enrolment", "TerritorialGroup").objects.create(
        relay=relay, departement=departement, name="Groupe ancien"
    )
    get("enrolment", "GroupMembership").objects.create(group=group, enrolment=enrolment)
    get("enrolment", "GroupWaitlistEntry").objects.create(
        enrolment=enrolment, proposed_group=group, resolved_at=now
    )
    seminar = get("enrolment", "Seminar").objects.create(
        group=group,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=3),
        place="Salle ancienne",
        theme=theme,
    )
    get("enrolment", "SeminarAttendance").objects.create(
        seminar=seminar, enrolment=enrolment, present=True
    )
    get("enrolment", "FollowUp").objects.create(enrolment=enrolment, due_months=6, due_on=today)

    # What points at the moved models through their content types.
    content_type = get("contenttypes", "ContentType")
    ct = {
        name: content_type.objects.get_or_create(app_label=app, model=name)[0]
        for app, name in [
            ("funding", "tariff"),
            ("enrolment", "agreement"),
            ("enrolment", "seminar"),
        ]
    }
    timeline = get("core", "TimelineEvent")
    timeline.objects.create(content_type=ct["agreement"], object_id=agreement.pk, verb="signed")
    timeline.objects.create(content_type=ct["tariff"], object_id=tariff.pk, verb="note")
    get("core", "ReminderSent").objects.create(
        rule="seminar_soon",
        content_type=ct["seminar"],
        object_id=seminar.pk,
        recipient=user,
        due_date=today,
    )
    permission = get("auth", "Permission").objects.create(
        content_type=ct["tariff"], codename="change_tariff_old", name="Modifier un tarif"
    )
    get("auth", "Group").objects.create(name="Tarifs").permissions.add(permission)

    account = get("funding", "Account").objects.create(relay=relay, code="411", name="Clients")
    bank = get("funding", "Account").objects.create(relay=relay, code="512", name="Banque")
    entry = get("funding", "JournalEntry").objects.create(
        relay=relay, date=today, label="Règlement", event_kind="test", idempotency_key="ancien:1"
    )
    lines = get("funding", "JournalLine").objects
    lines.create(entry=entry, account=bank, debit=Decimal("2928.00"), company=company)
    lines.create(entry=entry, account=account, credit=Decimal("2928.00"), company=company)
    return {"agreement": agreement.pk, "tariff": tariff.pk, "seminar": seminar.pk}


def test_a_database_built_before_the_moves_migrates_without_loss():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    _back_before_the_moves(executor)
    try:
        nodes = [node for node in BEFORE_MOVES if node[1] is not None]
        with zeal_ignore(), transaction.atomic():  # set-up rows, one by one
            ids = _fill_old_state(executor.loader.project_state(nodes, at_end=True).apps)
        counts, balances = _row_counts(), _balances()
    finally:
        _migrate(executor, latest)
        ContentType.objects.clear_cache()

    after = _row_counts()  # later migrations add tables (some with reference data)
    assert {table: after[table] for table in counts} == counts  # same rows (types relabelled)
    assert _balances() == balances and balances
    # Pointers through content types now lead to the models in their new apps.
    labels = set(
        TimelineEvent.objects.values_list("content_type__app_label", "content_type__model")
    )
    assert {("agreements", "agreement"), ("catalogue", "tariff")} <= labels
    signed = TimelineEvent.objects.get(verb="signed")
    assert isinstance(signed.subject, Agreement) and signed.subject.pk == ids["agreement"]
    reminder = ReminderSent.objects.get(rule="seminar_soon")
    assert isinstance(reminder.subject, Seminar) and reminder.subject.pk == ids["seminar"]
    tariff = Tariff.objects.get(pk=ids["tariff"])
    assert tariff.enrolments.get().agreements.get().signature.version == 1
    assert tariff.history.count() == 1
    assert not ContentType.objects.filter(app_label="funding", model="tariff").exists()
    group_permission = ContentType.objects.get(app_label="catalogue", model="tariff")
    assert group_permission.permission_set.filter(
        codename="change_tariff_old", group__name="Tarifs"
    ).exists()
