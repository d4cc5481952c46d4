"""What a history line says, in French words: the one place that turns a timeline event into text.

A `TimelineEvent` stores a code (`verb`, and for a change of state `from_state`/`to_state`);
pages never show those codes. Each app registers the words for the events it writes, from its
`AppConfig.ready()`, so core never imports the apps above it:

    register_event_label("agreement_issued", _("Convention émise"), detail=agreement_version)
    register_state_labels({"validated": _("Inscription validée par la structure relais")})
    register_state_labels({"diagnosed": _("Demande renvoyée pour correction")},
                          from_state="offer_chosen")

`event_text(event)` gives an `EventText` (a title, an optional detail) for the owner's dossier
and the relay's page alike. An event nobody registered reads "Autre événement", never its code
(tests/core/test_timeline_text.py checks that every verb written in the code has its words).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

#: A title or a detail: fixed words, or a function of the event (to read its `data`).
Words = Any  # str | lazy str | Callable[[event], str]


@dataclass(frozen=True)
class EventLabel:
    title: Words
    #: None: the event's own message (already French, written by the service) is the detail;
    #: "" : no detail; otherwise words or a function of the event.
    detail: Words = None


@dataclass(frozen=True)
class EventText:
    title: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.title} : {self.detail}" if self.detail else self.title


_verbs: dict[str, EventLabel] = {}
#: (from_state or "", to_state) -> label; "" matches any previous state.
_states: dict[tuple[str, str], EventLabel] = {}
#: verbs whose event carries a state change (the state decides the words).
STATE_VERBS = frozenset({"transition", "created"})
UNKNOWN = _("Autre événement")


def register_event_label(verb: str, title: Words, *, detail: Words = None) -> None:
    """The words of the events of kind `verb` (the last registration wins)."""
    _verbs[verb] = EventLabel(title=title, detail=detail)


def register_event_labels(labels: Mapping[str, Words]) -> None:
    for verb, title in labels.items():
        register_event_label(verb, title)


def register_state_labels(
    labels: Mapping[str, Words], *, from_state: str = "", detail: Words = None
) -> None:
    """The words of reaching each state (`from_state` narrows to one previous state)."""
    for to_state, title in labels.items():
        _states[(from_state, to_state)] = EventLabel(title=title, detail=detail)


def registered_verbs() -> frozenset[str]:
    return frozenset(_verbs)


def _label_for(event) -> EventLabel | None:
    to_state = getattr(event, "to_state", "") or ""
    if to_state and (event.verb in STATE_VERBS or event.verb not in _verbs):
        found = _states.get((event.from_state or "", to_state)) or _states.get(("", to_state))
        if found is not None:
            return found
    return _verbs.get(event.verb)


def _say(words: Words, event) -> str:
    if callable(words):
        return str(words(event))
    return str(words)


def event_text(event) -> EventText:
    """The event as a title and a detail, in the active language; never an internal code."""
    label = _label_for(event)
    message = (getattr(event, "message", "") or "").strip()
    if label is None:
        return EventText(title=str(UNKNOWN), detail=message)
    title = _say(label.title, event)
    if label.detail is None:
        detail = message
    elif label.detail == "":
        detail = ""
    else:
        detail = _say(label.detail, event)
    if detail.rstrip(".").strip() == title.rstrip(".").strip():
        detail = ""
    elif detail.startswith(f"{title} :"):  # "Consultant proposé : Consultant proposé : X"
        detail = detail[len(title) + 2 :].strip()
    return EventText(title=title, detail=detail)


def events_text(events: Iterable) -> list[tuple[Any, EventText]]:
    """(event, its text) for a page's history, in the given order."""
    return [(event, event_text(event)) for event in events]


def data_detail(template: str, *keys: str) -> Callable:
    """A detail read from the event's data: data_detail(_("version %(version)s"), "version")."""

    def detail(event) -> str:
        data = getattr(event, "data", None) or {}
        if not all(k in data for k in keys):
            return ""
        return str(template) % {k: data[k] for k in keys}

    return detail


def register_core_labels() -> None:
    """The events core itself writes."""
    register_event_labels(
        {
            "note": _("Note interne"),
            "reminder": _("Relance envoyée"),
            "outbox_retry": _("Tâche relancée"),
        }
    )
    register_event_label("rgpd.export", _("Export des données personnelles"), detail="")
    register_event_label(
        "rgpd.anonymised", _("Données personnelles anonymisées"), detail=lambda e: e.message
    )
