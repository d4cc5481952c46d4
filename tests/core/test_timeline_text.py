"""The history in words: every event the code writes has French words, never its code."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.timeline_text import (
    STATE_VERBS,
    event_text,
    register_event_label,
    registered_verbs,
)
from enrolment.models import EnrolmentState

ROOT = Path(__file__).resolve().parents[2]
APPS = [p for p in ROOT.iterdir() if (p / "apps.py").exists()]
VERB = re.compile(r"""verb=["']([a-z_.]+)["']""")


def _event(verb, *, to_state="", from_state="", message="", data=None):
    return SimpleNamespace(
        verb=verb, to_state=to_state, from_state=from_state, message=message, data=data or {}
    )


def _verbs_written_by_the_code() -> set[str]:
    found = set()
    for app in APPS:
        for path in app.rglob("*.py"):
            if "migrations" not in path.parts:
                found.update(VERB.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_event_the_code_writes_has_words():
    written = _verbs_written_by_the_code()
    assert {"agreement_issued", "training.enrolled", "transition"} <= written
    missing = written - registered_verbs() - STATE_VERBS
    assert not missing, f"no French words for the history events {sorted(missing)}"


@pytest.mark.parametrize("state", [s.value for s in EnrolmentState])
def test_every_state_reached_reads_as_a_sentence(state):
    text = event_text(_event("transition", to_state=state, from_state="draft"))
    assert text.title and text.title != state and "_" not in text.title


def test_codes_never_show():
    assert str(event_text(_event("agreement_issued", data={"version": 2}))) == (
        "Convention émise (version 2)"
    )
    text = event_text(_event("training.enrolled", message="Pilotes inscrits : Karim Benali"))
    assert "training" not in str(text) and "Karim Benali" in text.detail
    unknown = event_text(_event("something.new", message="détail"))
    assert "something" not in str(unknown) and unknown.detail == "détail"


def test_going_back_has_its_own_words():
    back = event_text(_event("transition", from_state="offer_chosen", to_state="diagnosed"))
    forward = event_text(_event("transition", from_state="eligible", to_state="diagnosed"))
    assert "renvoyée" in back.title and forward.title == "Autodiagnostic terminé"


def test_a_higher_app_registers_its_own_words():
    register_event_label("test.custom", lambda e: f"Événement {e.data['n']}", detail="")
    assert event_text(_event("test.custom", data={"n": 3})).title == "Événement 3"


def test_a_detail_that_repeats_the_title_is_not_said_twice():
    register_event_label("test.repeated", "Consultant proposé")
    text = event_text(_event("test.repeated", message="Consultant proposé : Marc Lenormand"))
    assert str(text) == "Consultant proposé : Marc Lenormand"
