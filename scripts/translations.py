"""Refresh and compile the English translation of the portal.

French is the source language (every msgid is French); English lives in
locale/en/LC_MESSAGES/django.po.

Usage (from the project root):

    .venv/bin/python scripts/translations.py            # makemessages + compile
    .venv/bin/python scripts/translations.py --compile  # compile only (no gettext needed)
    .venv/bin/python scripts/translations.py --check    # list untranslated/fuzzy entries

`makemessages` needs GNU gettext (xgettext/msgmerge); it keeps the existing
translations and marks changed strings fuzzy. Compiling uses polib, so a fresh
machine without gettext can still build django.mo from the committed django.po.
Both django.po and django.mo are committed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib


def gettext_noop(message: str) -> str:
    """Marks a string for makemessages (same keyword as Django's), without needing settings."""
    return message


# Reference data stored in the database by migrations (offers, diagnosis themes). They are
# listed here so that makemessages keeps them in the catalogue; a template shows them in
# the visitor's language with `{% translate offer.name %}` (a variable is translated at
# render time). Keep them identical to the migrations' French values.
REFERENCE_DATA = (
    gettext_noop("Performance ciblée"),
    gettext_noop("Performance approfondie"),
    gettext_noop("Production au plus juste (PPJ)"),
    gettext_noop(
        "Un problème aigu (stocks, achats, maintenance…), un consultant, un plan d'action. "
        "Pour les petites entreprises qui n'ont jamais fait appel à un consultant."
    ),
    gettext_noop(
        "Un diagnostic, deux ou trois problématiques clés déclinées en plusieurs plans d'action, "
        "un binôme de pilotes formés à la conduite du changement."
    ),
    gettext_noop(
        "Programme historique (1999-2004) : méthodes d'organisation inspirées de Toyota, "
        "douze mois par entreprise, cofinancé par l'État, la Région et le FSE."
    ),
    gettext_noop("Réactivité commerciale"),
    gettext_noop("Délais"),
    gettext_noop("Coûts"),
    gettext_noop("Qualité"),
    gettext_noop("Stocks"),
    gettext_noop("Achats"),
    gettext_noop("Maintenance des équipements"),
    gettext_noop("Organisation"),
    gettext_noop("Conduite du changement"),
)

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
LANGUAGES = ["en"]
IGNORED = [".venv", "var", "node_modules", "tests", "bench", "static/vendor", "staticfiles"]


def po_path(lang: str, domain: str = "django") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def make_messages() -> None:
    if not shutil.which("xgettext"):
        sys.exit(
            "GNU gettext (xgettext) is required to extract messages; use --compile to only build the .mo."
        )
    LOCALE_DIR.mkdir(exist_ok=True)
    cmd = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    for lang in LANGUAGES:
        cmd += ["-l", lang]
    for pattern in IGNORED:
        cmd += ["--ignore", pattern]
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    env.setdefault("SECRET_KEY_OPTIONAL", "1")
    subprocess.run(cmd, cwd=BASE_DIR, env=env, check=True)  # noqa: S603 (fixed argument list)


def problems(lang: str) -> tuple[list[polib.POEntry], list[polib.POEntry]]:
    po = polib.pofile(str(po_path(lang)))
    untranslated = [e for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e for e in po.fuzzy_entries() if not e.obsolete]
    return untranslated, fuzzy


def normalise_header(po: polib.POFile, lang: str) -> None:
    """Give the catalogue a real header (makemessages leaves a fuzzy template one)."""
    po.metadata_is_fuzzy = False
    po.header = "English translation of the Performance PME portal (source language: French)."
    po.metadata["Project-Id-Version"] = "performance-pme"
    po.metadata["Language"] = lang
    po.metadata["Language-Team"] = lang
    po.metadata["Last-Translator"] = "Performance PME team"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    if po.metadata.get("PO-Revision-Date", "").startswith("YEAR"):
        po.metadata["PO-Revision-Date"] = (
            datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M%z")
        )


def compile_messages() -> None:
    for lang in LANGUAGES:
        for domain in ("django", "djangojs"):
            path = po_path(lang, domain)
            if not path.exists():
                continue
            po = polib.pofile(str(path))
            normalise_header(po, lang)
            po.save()
            # polib skips fuzzy entries when compiling, like msgfmt.
            po.save_as_mofile(str(path.with_suffix(".mo")))
            print(f"compiled {path.relative_to(BASE_DIR)} ({po.percent_translated()}% translated)")


def report() -> int:
    count = 0
    for lang in LANGUAGES:
        untranslated, fuzzy = problems(lang)
        for entry in untranslated:
            print(f"[{lang}] untranslated: {entry.msgid!r}")
        for entry in fuzzy:
            print(f"[{lang}] fuzzy: {entry.msgid!r} -> {entry.msgstr!r}")
        count += len(untranslated) + len(fuzzy)
    print(f"{count} entries to translate")
    return count


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--compile", action="store_true", help="only compile the .po files into .mo"
    )
    parser.add_argument(
        "--check", action="store_true", help="only list untranslated and fuzzy entries"
    )
    args = parser.parse_args()
    if args.check:
        return 1 if report() else 0
    if not args.compile:
        make_messages()
    compile_messages()
    report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
