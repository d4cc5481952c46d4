"""The README stays short and lists every environment variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "performance_pme" / "settings" / "base.py"
READ = re.compile(r"""\benv\(\s*["']([A-Z][A-Z0-9_]*)["']""")  # the settings' one convention


def test_every_environment_variable_of_the_settings_is_in_the_readme_table():
    variables = set(READ.findall(SETTINGS.read_text()))
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))

    assert {"DEBUG", "DATABASE_URL", "RGPD_RETENTION_DAYS"} <= variables  # the pattern still reads
    missing = sorted(v for v in variables if f"`{v}`" not in table)
    assert not missing, f"README, « Configuration » : variables absentes du tableau : {missing}"


def test_the_readme_is_at_most_200_lines():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200
