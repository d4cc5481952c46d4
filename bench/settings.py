"""Settings of the load benchmark (bench/national.py): production settings, bench URLs.

The bench's URLconf adds two floor views to the project's own URLs; they exist only
here, never in `performance_pme.urls`.
"""

from performance_pme.settings.base import *  # noqa: F403
from performance_pme.settings.base import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# The Celery worker of the bench sends its reminders nowhere (thousands at this scale):
# built like SMTP would, then dropped (not kept in memory like locmem's outbox).
EMAIL_BACKEND = "bench.mail.DiscardingBackend"
