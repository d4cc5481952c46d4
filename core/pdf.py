"""PDF documents with WeasyPrint: one print stylesheet, packaged fonts, PDF/UA tagging.

Fonts come from a Debian package (fonts-inter) whose directory is the
`PDF_FONT_DIR` setting; they are declared with `@font-face`, and one
`FontConfiguration` is kept per process (a Celery worker child reuses it
across renders instead of rebuilding the font cache each time).
"""

from __future__ import annotations

import atexit
import hashlib
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration


@cache
def font_configuration():
    return FontConfiguration()


# Release it before the interpreter tears modules down (WeasyPrint's __del__ needs them).
atexit.register(font_configuration.cache_clear)


def font_face_css() -> str:
    faces = {
        "regular": ("normal", 400),
        "italic": ("italic", 400),
        "semibold": ("normal", 600),
        "bold": ("normal", 700),
    }
    rules = []
    for key, (style, weight) in faces.items():
        path = settings.PDF_FONT_DIR / settings.PDF_FONT_FILES[key]
        rules.append(
            "@font-face { font-family: 'PME Sans'; "
            f"src: url('{path.as_uri()}'); font-style: {style}; font-weight: {weight}; }}"
        )
    return "\n".join(rules)


@cache
def _stylesheet():
    css = font_face_css() + "\n" + render_to_string("pdf/print.css")
    return CSS(string=css, font_config=font_configuration())


def pdf_warm_up() -> None:
    """Build this process's FontConfiguration, stylesheet and font cache now (a Celery worker
    process at its start, `core.tasks`), so its first document does not pay for them."""
    HTML(string="<p>Performance PME</p>").write_pdf(
        stylesheets=[_stylesheet()], font_config=font_configuration()
    )


def render_pdf(*, template: str, context: dict) -> bytes:
    """Render a template of templates/pdf/ to a tagged (PDF/UA-1) A4 PDF."""
    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[_stylesheet()],
        font_config=font_configuration(),
        pdf_variant="pdf/ua-1",
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
