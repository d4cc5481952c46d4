"""The portal's e-mails: Django's messages, serialised with less work.

Every e-mail the portal sends is a `PortalEmail`. Its MIME bytes are the ones Django's
`EmailMultiAlternatives` gives, with three costs removed that the reminder sweep paid per
message (two thirds of building an e-mail, measured in docs/performance.md):

* the standard library folds every header through `email.header.Header`, character by
  character, even a short ASCII one that fits on its line; such a header is now written as
  is, exactly as the fold would have written it (longer or non-ASCII ones still go through
  the fold);
* a multipart's boundary was chosen at serialisation by compiling a new regular expression
  over the whole text; it is now drawn when the message is built, in the standard library's
  shape (a random 19-digit token between equals signs, so headers fold as before);
* an accented subject was encoded by trying quoted-printable and base64 character by
  character for the shorter; it is now written in base64 encoded words straight away (the
  same text once decoded; only its encoded form may differ from Django's).
"""

from __future__ import annotations

import base64
import secrets
import sys
from email.policy import Compat32

from django.core.mail import EmailMultiAlternatives


class _PortalPolicy(Compat32):
    """Compat32 (Django's policy) that writes a short single-line ASCII header unfolded."""

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + 2 + len(value) <= (self.max_line_length or 0)
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


PORTAL_POLICY = _PortalPolicy()


class _EncodedWords:
    """A header's text as RFC 2047 base64 words of at most 39 bytes (cut between characters),
    one a line: folded, every line stays under 78 characters. Header-like for the policy."""

    def __init__(self, text: str):
        self.text = text
        data, start, self.words = text.encode(), 0, []
        while start < len(data):
            end = min(start + 39, len(data))
            while end < len(data) and data[end] & 0xC0 == 0x80:  # inside a character
                end -= 1
            self.words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode()}?=")
            start = end

    def encode(self, linesep: str = "\n", maxlinelen=None, splitchars=None) -> str:
        return f"{linesep} ".join(self.words)

    def __str__(self) -> str:
        return self.text


class PortalEmail(EmailMultiAlternatives):
    """An e-mail of the portal: plain text, optionally an HTML alternative and attachments."""

    def message(self):
        subject = str(self.subject)
        encoded = not subject.isascii() and "\n" not in subject and "\r" not in subject
        if encoded:  # Django would encode it the slow way: an ASCII stand-in, replaced below
            self.subject = ""
        try:
            msg = super().message()
        finally:
            self.subject = subject
        if encoded:
            msg.replace_header("Subject", _EncodedWords(subject))
        msg.policy = PORTAL_POLICY
        for part in msg.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(f"{'=' * 15}{secrets.randbelow(sys.maxsize):019d}==")
        return msg
