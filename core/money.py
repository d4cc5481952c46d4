"""Amounts in EUR: exact decimals, parsed and shown the French way."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
NNBSP = "\u202f"  # narrow no-break space, the French thousands separator
NBSP = "\u00a0"
#: Spaces that French users (and their spreadsheets) put between thousands.
_GROUP_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def to_cents(value: Decimal | int | str) -> Decimal:
    """An amount rounded to the cent, half up: the programme's one rounding rule."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal:
    """'2 440,00' (space, no-break or narrow no-break space), '2440.5', '2 440 €' → Decimal.

    Raises ValueError on anything else; never goes through a float.
    """
    cleaned = _GROUP_SPACES.sub("", str(text)).replace("€", "").replace("EUR", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    elif "," in cleaned:
        raise ValueError(text)
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text)


def format_percent(value: Decimal | int | str | None, decimals: int | None = None) -> str:
    """Decimal('20.00'), 2 → '20,00 %'; Decimal('5E+1') → '50 %'; '12.5' → '12,5 %'.

    French decimal comma and a no-break space before the sign; never an exponent. Without
    `decimals`, as many decimals as the value needs.
    """
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if decimals is None:
        number = number.normalize()
        decimals = max(0, -number.as_tuple().exponent)
    else:
        decimals = int(decimals)
    text = f"{number:.{decimals}f}".replace(".", ",")
    return f"{text}{NBSP}%"


def format_eur(value: Decimal | int | None, *, symbol: bool = True) -> str:
    """Decimal('2440') → '2 440,00 €' with a narrow no-break space between thousands."""
    if value is None or value == "":
        return "—"
    amount = to_cents(value)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    text = f"{sign}{NNBSP.join(groups)},{cents}"
    return f"{text}{NBSP}€" if symbol else text


class AmountField(forms.DecimalField):
    """A form field for EUR amounts typed the French way; two decimal places, never a float."""

    default_error_messages = {
        "invalid": _("Saisissez un montant valide, par exemple 2 440,00."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_eur(value, symbol=False)
        return value
