"""Background exports of large selections of enrolments."""

from __future__ import annotations

import io

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from .exports import write_csv
from .filters import EnrolmentFilter
from .models import ExportJob
from .selectors import enrolments_for_staff


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


@shared_task(acks_late=True)
def export_enrolments(job_id: int) -> None:
    export_run(job_id)
