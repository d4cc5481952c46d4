"""What the API shows. Read serializers only shape data; writes go through services."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.models import Offer, Tariff
from catalogue.pricing import enrolment_price
from catalogue.selectors import vat_rate_in_force
from consultants.models import (
    Action,
    ActionPlan,
    Expert,
    HalfDay,
    Indicator,
    Measurement,
    Mission,
)
from core.exceptions import BusinessRuleError
from core.models import Departement, Relay
from diagnostics.models import Diagnosis, Theme
from diagnostics.scoring import weakest_themes
from enrolment import deminimis
from enrolment.actions import ACTIONS, available_actions
from enrolment.models import Company, Enrolment, Pilot
from enrolment.services import COMPANY_IDENTITY_FIELDS
from funding.models import Account, JournalEntry, JournalLine


class RelaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Relay
        fields = ["id", "slug", "name", "full_name", "email", "phone", "address"]


class DepartementSerializer(serializers.ModelSerializer):
    default_relay = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Departement
        fields = ["code", "name", "in_programme", "default_relay"]


class TariffSerializer(serializers.ModelSerializer):
    total_cost_ht = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Tariff
        fields = [
            "id",
            "valid_from",
            "valid_to",
            "duration_months",
            "half_days",
            "pilots",
            "includes_training",
            "company_contribution_ht",
            "regional_aid_ht",
            "state_aid_ht",
            "fse_aid_ht",
            "total_cost_ht",
            "regional_advance_percent",
            "consultant_half_day_rate",
        ]


class OfferSerializer(serializers.ModelSerializer):
    tariffs = TariffSerializer(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = ["code", "name", "description", "is_open", "position", "tariffs"]


class PriceSerializer(serializers.Serializer):
    """An enrolment's price, from `catalogue.pricing` (the same figures as the agreement)."""

    company_ht = serializers.DecimalField(max_digits=12, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat = serializers.DecimalField(max_digits=12, decimal_places=2)
    company_ttc = serializers.DecimalField(max_digits=12, decimal_places=2)
    regional_aid = serializers.DecimalField(max_digits=12, decimal_places=2)
    state_aid = serializers.DecimalField(max_digits=12, decimal_places=2)
    fse_aid = serializers.DecimalField(max_digits=12, decimal_places=2)
    aid_equivalent = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_cost_ht = serializers.DecimalField(max_digits=12, decimal_places=2)
    regional_advance = serializers.DecimalField(max_digits=12, decimal_places=2)
    regional_balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    vat_rate_frozen = serializers.BooleanField(
        help_text="Vrai une fois l'inscription validée : le taux de TVA ne change plus."
    )


class CompanySerializer(serializers.ModelSerializer):
    relay = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "siret",
            "siren",
            "name",
            "naf_code",
            "headcount",
            "turnover",
            "balance_sheet_total",
            "address",
            "postcode",
            "city",
            "departement",
            "relay",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CompanyIdentitySerializer(serializers.ModelSerializer):
    """Input of PATCH /companies/{id}/: types only; the rules live in the service."""

    class Meta:
        model = Company
        fields = list(COMPANY_IDENTITY_FIELDS)


class PilotSerializer(serializers.ModelSerializer):
    # Shown as stored: some historical addresses are not strict RFC e-mails.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Pilot
        fields = ["position", "first_name", "last_name", "job_title", "email", "phone"]


class EnrolmentSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    offer = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    pilots = PilotSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "company",
            "company_name",
            "state",
            "state_label",
            "allowed_actions",
            "offer",
            "tariff",
            "problem_theme",
            "difficulty",
            "pilots",
            "price",
            "created_at",
            "updated_at",
            "state_changed_at",
            "submitted_at",
            "validated_at",
            "signed_at",
            "closed_at",
            "withdrawn_at",
            "withdrawal_reason",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj) -> list[str]:
        """Workflow actions the requesting user may try now (`POST …/actions/<name>/`); each
        still checks its preconditions and answers 400 with the French reason when unmet."""
        request = self.context.get("request")
        if request is None or request.user.is_read_only:
            return []
        return [
            ACTIONS[name].api_name for name in available_actions(enrolment=obj, user=request.user)
        ]

    @extend_schema_field(PriceSerializer(allow_null=True))
    def get_price(self, obj) -> dict | None:
        """HT, VAT, TTC and shares; VAT at the rate frozen at validation (today's before)."""
        if obj.tariff_id is None:
            return None
        if obj.vat_rate is None and "vat_rate_today" not in self.context:
            self.context["vat_rate_today"] = vat_rate_in_force()  # once per response
        price = enrolment_price(obj, today_rate=self.context.get("vat_rate_today"))
        fields = set(PriceSerializer._declared_fields) - {"vat_rate_frozen"}
        data = {name: getattr(price, name) for name in fields}
        return PriceSerializer({**data, "vat_rate_frozen": obj.vat_rate is not None}).data


class DeclaredAidSerializer(serializers.Serializer):
    beneficiary = serializers.CharField(
        help_text="Entreprise de l'entreprise unique qui l'a reçue."
    )
    granting_body = serializers.CharField(help_text="Organisme qui a accordé l'aide.")
    granted_on = serializers.DateField(help_text="Date d'octroi.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR.")
    regulation = serializers.CharField(source="regulation.name", help_text="Règlement de minimis.")


class DeMinimisSerializer(serializers.Serializer):
    """The de minimis check of an enrolment (read-only, `enrolment.deminimis`): the aid the
    owner declared, the programme's earlier aid, this offer's aid equivalent and the headroom
    left under the ceiling of the regulation in force on the grant date (the signature; today
    before it)."""

    regulation = serializers.CharField(help_text="Règlement de minimis en vigueur à l'octroi.")
    ceiling = serializers.DecimalField(max_digits=12, decimal_places=2)
    granted_on = serializers.DateField(
        help_text="Date d'octroi retenue : la signature de la convention, aujourd'hui avant."
    )
    window_start = serializers.DateField(help_text="Début de la période de référence.")
    window_end = serializers.DateField(help_text="Fin de la période de référence.")
    declaration_version = serializers.IntegerField(
        allow_null=True, help_text="Version de la déclaration en vigueur (null : non déclarée)."
    )
    declared_aids = DeclaredAidSerializer(
        many=True, help_text="Les aides de la déclaration en vigueur (toutes dates)."
    )
    declared_in_window = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Aides déclarées dans la période."
    )
    programme_aid_in_window = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Aides déjà accordées par le programme à l'entreprise dans la période.",
    )
    aid_equivalent = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Équivalent-subvention de l'offre choisie (null avant le choix).",
    )
    headroom = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Marge restante sous le plafond, l'offre comprise (négative : dépassement).",
    )
    exceeds = serializers.BooleanField(
        help_text="Vrai si l'offre dépasse le plafond : l'inscription ne peut être validée."
    )


def deminimis_data(enrolment: Enrolment) -> dict:
    """What `DeMinimisSerializer` shows for one enrolment (a few queries: detail only)."""
    result, has_offer, declaration = deminimis.dossier_check(enrolment)
    return {
        "regulation": result.regulation.name,
        "ceiling": result.ceiling,
        "granted_on": result.on,
        "window_start": result.window.start,
        "window_end": result.window.end,
        "declaration_version": declaration.version if declaration else None,
        "declared_aids": list(declaration.aids.all()) if declaration else [],
        "declared_in_window": result.declared,
        "programme_aid_in_window": result.previous,
        "aid_equivalent": result.aid_equivalent if has_offer else None,
        "headroom": result.headroom,
        "exceeds": result.exceeds,
    }


class EnrolmentDetailSerializer(EnrolmentSerializer):
    """One enrolment (`GET /enrolments/{id}/`): the list's fields and the de minimis check."""

    deminimis = serializers.SerializerMethodField()

    class Meta(EnrolmentSerializer.Meta):
        fields = [*EnrolmentSerializer.Meta.fields, "deminimis"]
        read_only_fields = fields

    @extend_schema_field(DeMinimisSerializer(allow_null=True))
    def get_deminimis(self, obj) -> dict | None:
        """Aide de minimis : aides déclarées, équivalent-subvention de l'offre et marge restante
        sous le plafond (lecture seule ; la déclaration se fait sur le portail). Null pour une
        aide octroyée avant le premier règlement de minimis (2007)."""
        try:
            return DeMinimisSerializer(deminimis_data(obj)).data
        except BusinessRuleError:  # no de minimis regulation in force on the grant date
            return None


# --- Workflow actions: one input per action (the same messages as the pages) ------------------


def _text(label):
    # Optional here so that the action itself refuses a blank one with the page's message.
    return serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, label=label
    )


def _version():
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        label=_("version de l'inscription lue"),
        help_text=_("Refusé si l'inscription a changé depuis (comme un onglet périmé)."),
    )


class NoInputSerializer(serializers.Serializer):
    """No input: the action's preconditions are checked on the enrolment as it is."""


class VersionedActionSerializer(serializers.Serializer):
    version = _version()


class DerogateSerializer(VersionedActionSerializer):
    justification = _text(_("justification de la dérogation"))


class SendBackSerializer(VersionedActionSerializer):
    comment = _text(_("ce que l'entreprise doit revoir"))


class WithdrawSerializer(VersionedActionSerializer):
    reason = _text(_("motif de l'abandon"))


class PilotInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, allow_blank=True, default="")
    job_title = serializers.CharField(max_length=150, allow_blank=True, default="")
    email = serializers.EmailField(allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, allow_blank=True, default="")


class ChooseOfferSerializer(VersionedActionSerializer):
    offer = serializers.SlugRelatedField(
        slug_field="code", queryset=Offer.objects.all(), label=_("offre (code)")
    )
    problem_theme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Theme.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        label=_("problème à traiter (code du thème, offre ciblée)"),
    )
    pilots = PilotInputSerializer(many=True, required=False, default=list)


class AcceptAgreementSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, label=_("version de la convention acceptée")
    )
    accept = serializers.BooleanField(
        required=False, default=False, label=_("j'accepte cette version de la convention")
    )


class SignAgreementSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False, allow_null=True, default=None, label=_("copie signée (PDF)")
    )


class ExpertSerializer(serializers.ModelSerializer):
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Expert
        fields = [
            "id",
            "kind",
            "first_name",
            "last_name",
            "email",
            "firm",
            "specialties",
            "departements",
            "capacity",
            "accreditation",
            "selected_on",
            "trained_on",
            "active_since",
            "suspended_on",
            "left_on",
            "half_day_rate",
            "created_at",
        ]
        read_only_fields = fields


class HalfDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = HalfDay
        fields = ["id", "mission", "date", "subject", "attendees", "notes", "created_at"]
        read_only_fields = fields


class MissionSerializer(serializers.ModelSerializer):
    company = serializers.IntegerField(source="enrolment.company_id", read_only=True)
    half_days = HalfDaySerializer(many=True, read_only=True)
    company_name = serializers.CharField(source="enrolment.company.name", read_only=True)

    class Meta:
        model = Mission
        fields = [
            "id",
            "enrolment",
            "company",
            "company_name",
            "consultant",
            "start_date",
            "planned_end_date",
            "closed_at",
            "closing_summary",
            "half_days",
            "created_at",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------- issue 8: results,
# mission work, ledger, dashboard


class ThemeScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)


class RecommendationSerializer(serializers.Serializer):
    offer = serializers.CharField(allow_blank=True, required=False)
    reasons = serializers.ListField(child=serializers.CharField(), required=False)
    focus_theme = serializers.CharField(allow_null=True, required=False)
    weak_themes = serializers.ListField(child=serializers.CharField(), required=False)


class DiagnosisSerializer(serializers.ModelSerializer):
    # Theme names and order come from `context["themes"]` (one query per page).

    company_name = serializers.CharField(source="company.name", read_only=True)
    enrolment = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    questionnaire_version = serializers.IntegerField(source="questionnaire.version", read_only=True)
    theme_scores = serializers.SerializerMethodField()
    weakest_themes = serializers.SerializerMethodField()
    recommendation = serializers.SerializerMethodField()

    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "company",
            "company_name",
            "enrolment",
            "purpose",
            "questionnaire_version",
            "overall_score",
            "theme_scores",
            "weakest_themes",
            "recommendation",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _themes(self) -> dict[str, tuple[int, str]]:
        return self.context.get("themes", {})

    def _scores(self, obj) -> list[dict]:
        themes = self._themes()
        rows = [
            {"code": code, "name": themes.get(code, (999, code))[1], "score": Decimal(value)}
            for code, value in (obj.theme_scores or {}).items()
        ]
        return sorted(rows, key=lambda r: (themes.get(r["code"], (999, ""))[0], r["code"]))

    @extend_schema_field(ThemeScoreSerializer(many=True))
    def get_theme_scores(self, obj) -> list[dict]:
        return ThemeScoreSerializer(self._scores(obj), many=True).data

    @extend_schema_field(ThemeScoreSerializer(many=True))
    def get_weakest_themes(self, obj) -> list[dict]:
        rows = self._scores(obj)
        by_code = {r["code"]: r for r in rows}
        weakest = weakest_themes(
            {r["code"]: r["score"] for r in rows}, order=[r["code"] for r in rows], n=3
        )
        return ThemeScoreSerializer([by_code[c] for c in weakest], many=True).data

    @extend_schema_field(RecommendationSerializer)
    def get_recommendation(self, obj) -> dict:
        data = obj.recommendation or {}
        return RecommendationSerializer(
            {
                "offer": data.get("offer") or "",
                "reasons": [str(r) for r in data.get("reasons") or []],
                "focus_theme": data.get("focus_theme"),
                "weak_themes": [str(c) for c in data.get("weak_themes") or []],
            }
        ).data


class HalfDayInputSerializer(serializers.Serializer):
    """Demi-journée à saisir. (Documentation : le `HalfDayForm` de la page de la mission
    valide la saisie, puis `consultants.services.half_day_log` applique les règles.)"""

    date = serializers.DateField(label=_("date"))
    subject = serializers.CharField(max_length=255, label=_("objet"))
    attendees = serializers.CharField(max_length=500, label=_("participants"))
    notes = serializers.CharField(required=False, allow_blank=True, label=_("notes"))


class ActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = ["id", "title", "owner", "owner_name", "due_date", "status"]
        read_only_fields = fields

    def get_owner_name(self, obj) -> str:
        return f"{obj.owner.first_name} {obj.owner.last_name}".strip()


class MeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measurement
        fields = ["id", "date", "value", "created_at"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    mission = serializers.IntegerField(source="plan.mission_id", read_only=True)
    measurements = MeasurementSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "plan", "mission", "name", "unit", "baseline", "target", "measurements"]
        read_only_fields = fields


class ActionPlanSerializer(serializers.ModelSerializer):
    key_issue = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    key_issue_title = serializers.CharField(
        source="key_issue.title", read_only=True, allow_null=True, default=None
    )
    actions = ActionSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "mission",
            "key_issue",
            "key_issue_title",
            "title",
            "objective",
            "actions",
            "indicators",
            "created_at",
        ]
        read_only_fields = fields


class JournalLineSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.code", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    company = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    consultant = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    enrolment = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # blank on the lines of no funder (bank, consultants): not an enum value
    funder = serializers.CharField(
        read_only=True, help_text="company, region, state, fse, ou vide (aucun financeur)"
    )

    class Meta:
        model = JournalLine
        fields = [
            "id",
            "account",
            "account_name",
            "debit",
            "credit",
            "funder",
            "company",
            "consultant",
            "enrolment",
        ]
        read_only_fields = fields


class JournalEntrySerializer(serializers.ModelSerializer):
    relay = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reverses = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    corrects = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    lines = JournalLineSerializer(many=True, read_only=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "relay",
            "date",
            "label",
            "event_kind",
            "reverses",
            "corrects",
            "lines",
            "created_at",
        ]
        read_only_fields = fields


class BalanceSerializer(serializers.ModelSerializer):
    """Un compte du plan d'une structure relais et ses totaux (une requête annotée)."""

    relay = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    total_debit = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    total_credit = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    balance = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Account
        fields = ["id", "relay", "code", "name", "total_debit", "total_credit", "balance"]
        read_only_fields = fields


class DashboardQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, label=_("du"))
    end = serializers.DateField(required=False, label=_("au"))


class MilestoneProgressSerializer(serializers.Serializer):
    label = serializers.CharField()
    due_on = serializers.DateField()
    expected = serializers.IntegerField()
    done = serializers.IntegerField()


class DashboardHeadSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    total = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    signed = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    forecast = serializers.DateField(allow_null=True)
    progress = MilestoneProgressSerializer(many=True)


class MoneyTotalsSerializer(serializers.Serializer):
    committed = serializers.DecimalField(max_digits=16, decimal_places=2)
    invoiced = serializers.DecimalField(max_digits=16, decimal_places=2)
    received = serializers.DecimalField(max_digits=16, decimal_places=2)
    accrued = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)


class PoolSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="consultants actifs")
    capacity = serializers.IntegerField(help_text="missions simultanées possibles")


class DashboardTableSerializer(serializers.Serializer):
    """Un tableau de la page (comme son export CSV) : cellules texte, nombre ou null ;
    montants en chaînes décimales, dates ISO 8601."""

    key = serializers.CharField()
    title = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class DashboardSerializer(serializers.Serializer):
    head = DashboardHeadSerializer()
    totals = MoneyTotalsSerializer()
    pool = PoolSerializer()
    running_missions = serializers.IntegerField()
    halfdays = serializers.IntegerField(allow_null=True)
    committed_ht = serializers.DecimalField(max_digits=16, decimal_places=2)
    envelope = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    region_committed = serializers.DecimalField(max_digits=16, decimal_places=2)
    tables = DashboardTableSerializer(many=True)
