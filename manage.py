#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

OFFLINE_COMMANDS = {"makemigrations", "check", "collectstatic", "compilemessages", "makemessages"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performance_pme.settings.base")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        # These commands sign nothing: they may run without a SECRET_KEY.
        os.environ.setdefault("SECRET_KEY_OPTIONAL", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
