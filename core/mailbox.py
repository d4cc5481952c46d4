"""Development: read the e-mails Django's file backend wrote under EMAIL_FILE_PATH."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

_NAME = re.compile(r"^[\w.-]+\.log$")


@dataclass
class MailboxEntry:
    name: str
    date: str
    to: str
    subject: str
    text: str = ""
    html: str = ""


def _directory() -> Path | None:
    path = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(path) if path else None


def _parse(path: Path, *, body: bool = False) -> list[MailboxEntry]:
    """A file holds one or more messages separated by a line of 79 dashes."""
    raw = path.read_bytes()
    entries = []
    for chunk in raw.split(b"\n" + b"-" * 79 + b"\n"):
        if not chunk.strip():
            continue
        msg = email.message_from_bytes(chunk, policy=email.policy.default)
        entry = MailboxEntry(
            name=path.name,
            date=str(msg.get("Date", "")),
            to=str(msg.get("To", "")),
            subject=str(msg.get("Subject", "")),
        )
        if body:
            part = msg.get_body(preferencelist=("plain",))
            entry.text = part.get_content() if part else ""
            part = msg.get_body(preferencelist=("html",))
            entry.html = part.get_content() if part else ""
        entries.append(entry)
    return entries


def mailbox_list(limit: int = 200) -> list[MailboxEntry]:
    directory = _directory()
    if directory is None or not directory.is_dir():
        return []
    files = sorted(directory.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    entries: list[MailboxEntry] = []
    for path in files[:limit]:
        entries.extend(_parse(path))
    return entries[:limit]


def mailbox_message(name: str) -> MailboxEntry | None:
    directory = _directory()
    if directory is None or not _NAME.match(name):
        return None
    path = directory / name
    if not path.is_file():
        return None
    entries = _parse(path, body=True)
    return entries[0] if entries else None
