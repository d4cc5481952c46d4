"""The Celery app for integration tests' worker subprocesses, with an optional slow render.

`PME_TEST_SLOW_RENDER=<seconds>` makes each agreement render touch the file named by
`PME_TEST_RENDER_MARKER` and then wait, so a test can kill the worker mid-render.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_process_init

from performance_pme.celery import app

__all__ = ["app"]

# A task whose worker process died comes back after `default_retry_delay` (10 s in production):
# one second here, so the redelivery tests do not sit idle.
app.conf.task_annotations = {"core.tasks.outbox_process": {"default_retry_delay": 1}}


@worker_process_init.connect
def _slow_render(**kwargs):
    delay = float(os.environ.get("PME_TEST_SLOW_RENDER", "0") or 0)
    if not delay:
        return
    import agreements.services as agreements

    original = agreements.agreement_render

    def slow_render(**kw):
        marker = Path(os.environ["PME_TEST_RENDER_MARKER"])
        if not marker.exists():  # only the first render is slow (the one a test kills)
            marker.touch()
            time.sleep(delay)
        return original(**kw)

    agreements.agreement_render = slow_render
