"""A crawl of the portal's pages as one user, and the checks of the Content Security Policy."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from zeal import zeal_ignore

# Not followed: files, and Django's admin (its pages are Django's own: the start list names a
# few of them); pages given in the start list are always visited.
SKIP = re.compile(r"^/(accounts/logout|static/|media/|admin/)|\.(csv|pdf|zip|svg|ics|json)$")


def url_shape(path: str) -> str:
    """One page per shape: /inscriptions/12/ and /inscriptions/13/ are the same page."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


@dataclass
class PageFindings:
    """What the HTML of one page holds that the policy would block or that runs inline."""

    inline_scripts: list[str] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    javascript_urls: list[str] = field(default_factory=list)
    style_attributes: list[str] = field(default_factory=list)
    style_elements: list[str | None] = field(default_factory=list)  # their nonce
    links: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageFindings()
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.handlers.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.javascript_urls.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.style_attributes.append(f"<{tag} style={value!r}>")
        if tag == "script":
            kind = (a.get("type") or "").strip().lower()
            if "src" not in a and kind != "application/json":
                self._in_script = True
                self.found.inline_scripts.append("")
        elif tag == "style":
            self.found.style_elements.append(a.get("nonce"))
        elif tag == "a" and a.get("href"):
            self.found.links.append(a["href"])

    def handle_data(self, data):
        if self._in_script:
            self.found.inline_scripts[-1] += data[:80]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inspect_html(html: str) -> PageFindings:
    parser = _Parser()
    parser.feed(html)
    return parser.found


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def crawl(client, start: list[str], *, max_pages: int = 80):
    """Yield (path, response) for each HTML page reached from ``start`` by same-site links."""
    seen_shapes: set[str] = set()
    queue = deque(start)
    pages = 0
    while queue and pages < max_pages:
        path = urldefrag(queue.popleft())[0]
        parts = urlsplit(path)
        if parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIP.search(parts.path) and path not in start:
            continue
        shape = url_shape(parts.path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        # one user's requests in a row look up that user each time: not an N+1 of a page
        with zeal_ignore([{"model": "core.User", "field": "*"}]):
            response = client.get(path)
        if response.status_code in (301, 302) and response.get("Location", "").startswith("/"):
            queue.appendleft(response["Location"])
            seen_shapes.discard(url_shape(urlsplit(response["Location"]).path))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode()
        yield path, response, html
        queue.extend(inspect_html(html).links)
