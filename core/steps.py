"""A step indicator for a journey of several pages ("Étape 3 sur 6 — Autodiagnostic, thème 2 sur 9").

The journey (its step names) belongs to the app that runs it; this is only the indicator, drawn
by templates/core/_step_indicator.html: the count and the current step's name as text, a bar of
segments, the next step's name. The page's <h1> and <title> carry the same step name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class StepItem:
    number: int
    label: str
    status: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class StepIndicator:
    labels: tuple[str, ...]
    current: int  # 1-based
    detail: str = ""  # a sub-step: "thème 2 sur 9"
    aria_label: str = ""

    @property
    def total(self) -> int:
        return len(self.labels)

    @property
    def label(self) -> str:
        return str(self.labels[self.current - 1])

    @property
    def count(self) -> str:
        return _("Étape %(n)s sur %(total)s") % {"n": self.current, "total": self.total}

    @property
    def next_label(self) -> str:
        return str(self.labels[self.current]) if self.current < self.total else ""

    @property
    def items(self) -> list[StepItem]:
        return [
            StepItem(
                number=i,
                label=str(label),
                status="done" if i < self.current else "current" if i == self.current else "todo",
            )
            for i, label in enumerate(self.labels, start=1)
        ]

    @property
    def heading(self) -> str:
        """The page's whole position in words, e.g. for its <title>."""
        text = f"{self.count} — {self.label}"
        return f"{text}, {self.detail}" if self.detail else text

    def with_detail(self, detail: str) -> StepIndicator:
        return StepIndicator(
            labels=self.labels, current=self.current, detail=detail, aria_label=self.aria_label
        )
