"""Exactly-once submissions: the same form posted twice records once.

Every form that records money or a fact carries a one-time key issued with the form
(`OnceFormMixin`, a hidden field); API writes may send an `Idempotency-Key` header. The view
runs the service through `submission_once()`, which inserts a `Submission` row for
(user, key) in the same transaction as the record itself:

- the first post inserts the row, runs the service and stores where its result is shown;
- a second post of the same key (a double click, a reload, a retried request) cannot insert
  it (unique constraint: at the same instant, it waits for the first transaction) and raises
  `SubmissionReplayed` with the first one's result, which the view shows (French message,
  redirect) instead of recording again;
- a post whose service refuses it (a business rule) leaves no row: the corrected form may be
  sent again with the same key.

Without a key (an API client that sends none) the service simply runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .exceptions import BusinessRuleError
from .models import Submission

T = TypeVar("T")

FIELD = "submission_key"
MAX_KEY_LENGTH = 100


def new_submission_key() -> str:
    return uuid.uuid4().hex


class OnceFormMixin:
    """Adds the hidden one-time key to a form: issued when the form is shown, kept on errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            max_length=MAX_KEY_LENGTH,
            initial=new_submission_key,
        )

    @property
    def submission_key(self) -> str | None:
        return (self.cleaned_data.get(FIELD) or "").strip() or None


class SubmissionForm(OnceFormMixin, forms.Form):
    """Only the key: for hand-written forms (checkbox tables), rendered as `{{ form }}`."""


@dataclass(frozen=True)
class SubmissionResult:
    url: str = ""
    message: str = ""
    status: int | None = None
    body: object = None


class SubmissionReplayed(Exception):
    """The key was already used: `submission` holds the first post's result."""

    def __init__(self, submission: Submission):
        super().__init__(submission.key)
        self.submission = submission


def submission_once(
    *,
    key: str | None,
    user,
    action: str,
    perform: Callable[[], T],
    result: Callable[[T], SubmissionResult],
) -> T:
    """Run `perform()` at most once per (user, key); raise `SubmissionReplayed` after that."""
    if not key:
        return perform()
    if len(key) > MAX_KEY_LENGTH:
        raise BusinessRuleError(
            _("La clé d'idempotence dépasse %(n)s caractères.") % {"n": MAX_KEY_LENGTH}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Waits for a concurrent transaction that inserted the same key, then fails.
                submission = Submission.objects.create(key=key, user=user, action=action)
        except IntegrityError:
            previous = Submission.objects.get(key=key, user=user)
            raise SubmissionReplayed(previous) from None
        value = perform()
        outcome = result(value)
        submission.result_url = outcome.url[:500]
        submission.result_message = str(outcome.message)[:500]
        submission.response_status = outcome.status
        submission.response_body = outcome.body
        submission.save(
            update_fields=["result_url", "result_message", "response_status", "response_body"]
        )
    return value


def submission_replay_response(
    request, replayed: SubmissionReplayed, *, fallback: str
) -> HttpResponse:
    """The answer to a second post of the same form: the first result, said in French."""
    submission = replayed.submission
    text = _("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois.")
    if submission.result_message:
        text = f"{text} {submission.result_message}"
    messages.info(request, text)
    return redirect(submission.result_url or fallback)
