"""Checks shared by every upload point: size, extension and content (not the browser's word).

A file's name and its declared Content-Type come from the client: the extension is checked
to give a clear message early, then the content itself decides (PDF magic bytes and a parse,
CSV decoding as text).
"""

from __future__ import annotations

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

# Signatures of binary formats that are sometimes renamed .csv by mistake.
_BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_TEXT_CONTROLS = {"\t", "\n", "\r", "\x0c"}


def _megabytes(limit: int) -> str:
    mb = limit / 1048576
    return f"{mb:.0f}" if mb >= 1 else f"{mb:.1f}".replace(".", ",")


def upload_check_size(uploaded: UploadedFile, *, max_bytes: int) -> None:
    """Refuse a file larger than ``max_bytes`` (by its size, then by what can be read)."""
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(mb)s Mo.")
            % {"mb": _megabytes(max_bytes)},
            code="file_too_large",
        )


def upload_check_extension(uploaded: UploadedFile, *, extensions: tuple[str, ...]) -> None:
    """Refuse a file whose name does not end with one of ``extensions`` (lower case, no dot)."""
    suffix = PurePath(uploaded.name or "").suffix.lower().lstrip(".")
    if suffix not in extensions:
        raise ValidationError(
            _(
                "Type de fichier non accepté (« %(name)s ») : seuls les fichiers %(allowed)s sont acceptés."
            )
            % {
                "name": PurePath(uploaded.name or "").name,
                "allowed": ", ".join(f".{e}" for e in extensions),
            },
            code="file_extension",
        )


def _read(uploaded: UploadedFile, max_bytes: int) -> bytes:
    upload_check_size(uploaded, max_bytes=max_bytes)
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    uploaded.seek(0)
    if len(data) > max_bytes:  # a size the client lied about
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(mb)s Mo.")
            % {"mb": _megabytes(max_bytes)},
            code="file_too_large",
        )
    return data


def _is_pdf(data: bytes) -> bool:
    """``%PDF-`` magic bytes and a parse that finds at least one page."""
    if not data.startswith(b"%PDF-"):
        return False
    try:
        return len(PdfReader(io.BytesIO(data)).pages) >= 1
    except Exception:
        return False


def upload_read_pdf(uploaded: UploadedFile, *, max_bytes: int) -> bytes:
    """The bytes of a real PDF: ``.pdf`` name, ``%PDF-`` magic bytes, at least one page."""
    upload_check_extension(uploaded, extensions=("pdf",))
    data = _read(uploaded, max_bytes)
    if not _is_pdf(data):
        raise ValidationError(
            _(
                "Le fichier déposé n'est pas un PDF lisible : déposez la copie signée au format "
                "PDF."
            ),
            code="file_content",
        )
    return data


#: Extension -> (content type, Pillow format) of the images a message may carry.
_IMAGE_TYPES = {
    "png": ("image/png", "PNG"),
    "jpg": ("image/jpeg", "JPEG"),
    "jpeg": ("image/jpeg", "JPEG"),
}
ATTACHMENT_EXTENSIONS = ("pdf", *_IMAGE_TYPES)


def _image_format(data: bytes) -> str | None:
    """The format Pillow recognises in `data` after a full check of the file, or None."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
            image.verify()
        return found
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def upload_read_attachment(uploaded: UploadedFile, *, max_bytes: int) -> tuple[bytes, str]:
    """A message's attachment: a real PDF or a PNG/JPEG image; returns (bytes, content type).

    Checked like the signed copy of an agreement: the size, the name's extension, then the
    content itself (a PDF that parses, an image whose format matches its extension).
    """
    upload_check_extension(uploaded, extensions=ATTACHMENT_EXTENSIONS)
    data = _read(uploaded, max_bytes)
    suffix = PurePath(uploaded.name or "").suffix.lower().lstrip(".")
    if suffix == "pdf":
        if _is_pdf(data):
            return data, "application/pdf"
        raise ValidationError(
            _("Le fichier déposé n'est pas un PDF lisible : joignez un PDF valide."),
            code="file_content",
        )
    content_type, image_format = _IMAGE_TYPES[suffix]
    if _image_format(data) != image_format:
        raise ValidationError(
            _(
                "Le fichier déposé n'est pas une image %(format)s lisible : joignez une image "
                "PNG ou JPEG, ou un PDF."
            )
            % {"format": image_format},
            code="file_content",
        )
    return data, content_type


def upload_read_csv(uploaded: UploadedFile, *, max_bytes: int) -> str:
    """The text of a CSV file: ``.csv`` name, UTF-8 (or Windows-1252 from Excel), no binary."""
    upload_check_extension(uploaded, extensions=("csv",))
    data = _read(uploaded, max_bytes)
    not_text = ValidationError(
        _(
            "Le fichier n'est pas un fichier CSV (texte) : dans votre tableur, choisissez "
            "« Enregistrer sous » puis le format « CSV (séparateur point-virgule) »."
        ),
        code="file_content",
    )
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data:
        raise not_text
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise not_text
    if any(ch < " " and ch not in _TEXT_CONTROLS for ch in text):
        raise not_text
    if not text.strip():
        raise ValidationError(_("Le fichier CSV est vide."), code="file_empty")
    return text
