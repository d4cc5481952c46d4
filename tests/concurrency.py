"""Run the same thing in several threads at the same instant (real PostgreSQL transactions)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from django.db import connection


def race(*calls: Callable[[], object]) -> list[object]:
    """Start every call at once (a barrier) in its own thread and database connection.

    Returns each call's result, or the exception it raised, in the order given.
    """
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # reported to the test, which decides
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def submission_key(html: str, prefix: str = "") -> str:
    """The one-time key a form page issued (its hidden field)."""
    name = f"{prefix}-submission_key" if prefix else "submission_key"
    match = re.search(rf'name="{re.escape(name)}" value="([0-9a-f]+)"', html)
    assert match, f"pas de champ {name} dans la page"
    return match.group(1)
