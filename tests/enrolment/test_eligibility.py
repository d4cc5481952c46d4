"""SIRET, NAF and each eligibility rule, with the reason the owner reads."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from enrolment.eligibility import (
    clean_naf,
    clean_siret,
    departement_code,
    rule_industry,
    rule_sme,
    rule_territory,
)
from tests.factories import valid_siret

RHONE_ALPES = {
    "01": "Ain",
    "07": "Ardèche",
    "26": "Drôme",
    "38": "Isère",
    "42": "Loire",
    "69": "Rhône",
    "73": "Savoie",
    "74": "Haute-Savoie",
}
M = Decimal("1000000")


class TestSiret:
    def test_valid_siret_is_kept_and_spaces_removed(self):
        siret = valid_siret(7)
        spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
        assert clean_siret(spaced) == siret

    def test_wrong_checksum_is_refused(self):
        siret = valid_siret(7)
        wrong = siret[:-1] + str((int(siret[-1]) + 1) % 10)
        with pytest.raises(ValidationError, match="clé de contrôle"):
            clean_siret(wrong)

    @pytest.mark.parametrize("value, typed", [("1234567890123", 13), ("123 456 789 012 345", 15)])
    def test_wrong_length_says_how_many_digits_were_typed(self, value, typed):
        # stdnum's InvalidLength is a kind of InvalidFormat: the length message must win
        with pytest.raises(
            ValidationError, match=f"compte 14 chiffres \\(vous en avez saisi {typed}\\)"
        ):
            clean_siret(value)

    def test_letters_are_refused(self):
        with pytest.raises(ValidationError, match="que des chiffres"):
            clean_siret("7328292AB00013")

    def test_siren_is_the_first_nine_digits(self):
        from enrolment.models import Company

        siret = valid_siret(8)
        assert Company(siret=siret).siren == siret[:9]


class TestNaf:
    @pytest.mark.parametrize("typed", ["25.62B", "2562b", " 25.62 B"])
    def test_accepted_forms(self, typed):
        assert clean_naf(typed) == "25.62B"

    @pytest.mark.parametrize("typed", ["25.6B", "ABCDE", "25623", ""])
    def test_refused_forms(self, typed):
        with pytest.raises(ValidationError, match="quatre chiffres et une lettre"):
            clean_naf(typed)


class TestSme:
    def test_small_company_with_turnover_under_threshold(self):
        r = rule_sme(headcount=249, turnover=50 * M, balance_sheet_total=None)
        assert r.ok and "249 salariés" in r.reason

    def test_250_employees_is_not_an_sme(self):
        r = rule_sme(headcount=250, turnover=Decimal("1000.00"), balance_sheet_total=None)
        assert not r.ok
        assert "250" in r.reason and "moins de 250" in r.reason

    def test_turnover_over_but_balance_sheet_under_is_an_sme(self):
        r = rule_sme(headcount=100, turnover=60 * M, balance_sheet_total=43 * M)
        assert r.ok and "total du bilan" in r.reason

    def test_both_financial_thresholds_exceeded(self):
        r = rule_sme(
            headcount=100, turnover=50 * M + Decimal("0.01"), balance_sheet_total=43 * M + 1
        )
        assert not r.ok and "dépasse les seuils" in r.reason

    def test_missing_headcount_or_finance(self):
        assert not rule_sme(headcount=None, turnover=M, balance_sheet_total=None).ok
        r = rule_sme(headcount=10, turnover=None, balance_sheet_total=None)
        assert not r.ok and "chiffre d'affaires" in r.reason

    def test_thresholds_come_from_settings(self, settings):
        settings.ENROLMENT_SME_MAX_HEADCOUNT = 50
        assert not rule_sme(headcount=60, turnover=M, balance_sheet_total=None).ok


class TestTerritory:
    @pytest.mark.parametrize(
        "postcode", ["01100", "07100", "26000", "38500", "42000", "69100", "73000", "74300"]
    )
    def test_each_rhone_alpes_departement_is_eligible(self, postcode):
        r = rule_territory(postcode=postcode, departements=RHONE_ALPES)
        assert r.ok and RHONE_ALPES[postcode[:2]] in r.reason

    def test_outside_the_region(self):
        r = rule_territory(postcode="75001", departements=RHONE_ALPES)
        assert not r.ok and "75" in r.reason and "hors du territoire" in r.reason

    def test_invalid_postcode(self):
        assert not rule_territory(postcode="69", departements=RHONE_ALPES).ok

    def test_departement_codes(self):
        assert departement_code("97400") == "974"
        assert departement_code("20000") == "2A"
        assert departement_code("20200") == "2B"
        assert departement_code("6910") is None


class TestIndustry:
    def test_manufacturing_is_industrial(self):
        r = rule_industry(naf_code="25.62B")
        assert r.ok and "section C" in r.reason

    def test_technical_testing_serves_industry(self):
        r = rule_industry(naf_code="71.20B")
        assert r.ok and "service à l'industrie" in r.reason

    def test_road_haulage_is_not_eligible(self):
        r = rule_industry(naf_code="49.41A")
        assert not r.ok and "section H" in r.reason

    def test_the_lists_are_configurable(self, settings):
        settings.ENROLMENT_INDUSTRY_NAF_CODES = ["49.41"]
        assert rule_industry(naf_code="49.41A").ok

    def test_missing_code(self):
        assert not rule_industry(naf_code="").ok
