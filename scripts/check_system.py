"""Stop at once, naming the Debian package to install, if a system library is missing."""

import ctypes.util
import sys

REQUIRED = {
    # library name for ctypes → Debian package
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "harfbuzz-subset": "libharfbuzz-subset0",
}


def main() -> int:
    missing = [pkg for lib, pkg in REQUIRED.items() if ctypes.util.find_library(lib) is None]
    if missing:
        print(
            "Bibliothèques système manquantes pour WeasyPrint (PDF).\n"
            f"Installez-les avec :  sudo apt-get install {' '.join(missing)}",
            file=sys.stderr,
        )
        return 1
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:  # pragma: no cover - depends on the machine
        print(f"WeasyPrint ne se charge pas : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
