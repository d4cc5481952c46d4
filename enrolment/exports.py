"""CSV export of enrolments: its columns; `core.spreadsheets` writes (and neutralises) them.

A large selection is exported in the background: the request records an `ExportJob` and an
`enrolment.export_requested` event in the outbox, whose handler (a Celery worker) writes the
file. A broker that is down at that moment delays the export; it never fails the request."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OutboxMessage
from core.outbox import outbox_publish
from core.spreadsheets import write_csv as write_spreadsheet_csv

from .filters import EnrolmentFilter
from .models import ExportJob
from .selectors import enrolments_for_staff


def header() -> list[str]:
    return [
        _("SIRET"),
        _("Entreprise"),
        _("Code NAF"),
        _("Effectif"),
        _("Code postal"),
        _("Commune"),
        _("Département"),
        _("Structure relais"),
        _("État"),
        _("Offre"),
        _("Score de l'autodiagnostic"),
        _("Créée le"),
        _("Soumise le"),
        _("Validée le"),
    ]


def _day(value):
    return timezone.localdate(value) if value else None


def row(e) -> list:
    c = e.company
    return [
        c.siret,
        c.name,
        c.naf_code,
        c.headcount,
        c.postcode,
        c.city,
        c.departement_id or "",
        c.relay.name if c.relay else "",
        e.get_state_display(),
        e.offer.name if e.offer else "",
        getattr(e, "diagnosis_score", None),
        _day(e.created_at),
        _day(e.submitted_at),
        _day(e.validated_at),
    ]


def write_csv(
    stream,
    enrolments: Iterable,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 200,
) -> int:
    return write_spreadsheet_csv(
        stream,
        headers=header(),
        rows=(row(e) for e in enrolments),
        progress=progress,
        every=every,
    )


def export_request(*, user, params: dict) -> ExportJob:
    """Record a background export of a selection; the outbox's worker writes it."""
    job = ExportJob.objects.create(requested_by=user, params=params)
    outbox_publish(
        kind="enrolment.export_requested", key=f"export:{job.pk}", payload={"job_id": job.pk}
    )
    return job


def on_export_requested(message: OutboxMessage) -> None:
    export_run(message.payload["job_id"])


def export_run(job_id: int) -> None:
    """Write the CSV of the job's selection, scoped to who asked; safe to run twice."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return
    qs = enrolments_for_staff(user=job.requested_by)
    ids = job.params.get("ids")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    else:
        qs = EnrolmentFilter(job.params.get("filters", {}), queryset=qs).qs
    qs = qs.order_by("-created_at", "-pk")
    total = qs.count()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, total=total, done=0)

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=n)

    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: spreadsheets read the accents right
    try:
        write_csv(buffer, qs.iterator(chunk_size=500), progress=progress)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=str(exc))
        raise
    job.file.save(f"inscriptions-{job.pk}.csv", ContentFile(buffer.getvalue().encode()), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name,
        status=ExportJob.Status.DONE,
        done=total,
        finished_at=timezone.now(),
    )
