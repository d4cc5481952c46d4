"""The Celery application: broker from the settings, tasks discovered in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performance_pme.settings.base")

app = Celery("performance_pme")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
