from decimal import Decimal

import pytest

from core.money import AmountField, format_eur, parse_amount


@pytest.mark.parametrize(
    "text",
    ["2440", "2440,00", "2 440,00", "2\u00a0440,00", "2\u202f440,00", "2 440,00 €", "2440.00"],
)
def test_french_amounts_are_parsed_exactly(text):
    assert parse_amount(text) == Decimal("2440.00")


@pytest.mark.parametrize("text", ["2,440,00", "deux mille", "12,5,3", ""])
def test_garbage_is_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_format_french_way():
    assert format_eur(Decimal("4540")) == "4\u202f540,00\u00a0€"
    assert format_eur(Decimal("-1234567.89")) == "-1\u202f234\u202f567,89\u00a0€"
    assert format_eur(None) == "—"


def test_amount_field_message_is_french():
    field = AmountField()
    assert field.clean("1\u202f000,50") == Decimal("1000.50")
    with pytest.raises(Exception, match="Saisissez un montant valide"):
        field.clean("abc")
