"""The portal's e-mails: Django's messages, serialised with less work.

Every e-mail the portal sends is a `PortalEmail`. Its MIME bytes are the ones Django's
`EmailMultiAlternatives` gives, with two costs removed that the reminder sweep paid per
message (half of building an e-mail, measured in docs/performance.md):

* the standard library folds every header through `email.header.Header`, character by
  character, even a short ASCII one that fits on its line; such a header is now written as
  is, exactly as the fold would have written it (longer or non-ASCII ones still go through
  the fold);
* a multipart's boundary was chosen at serialisation by compiling a new regular expression
  over the whole text; it is now drawn when the message is built, in the standard library's
  shape (a random 19-digit token between equals signs, so headers fold as before).
"""

from __future__ import annotations

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


class PortalEmail(EmailMultiAlternatives):
    """An e-mail of the portal: plain text, optionally an HTML alternative and attachments."""

    def message(self):
        msg = super().message()
        msg.policy = PORTAL_POLICY
        for part in msg.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(f"{'=' * 15}{secrets.randbelow(sys.maxsize):019d}==")
        return msg
