"""What the API shows. Read serializers only shape data; writes go through services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consultants.models import Expert, Mission
from core.models import Departement, Relay
from enrolment.models import Company, Enrolment, EnrolmentState, Pilot
from enrolment.services import COMPANY_IDENTITY_FIELDS
from funding.models import Offer, Tariff


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
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "company",
            "company_name",
            "state",
            "state_label",
            "allowed_transitions",
            "offer",
            "tariff",
            "problem_theme",
            "difficulty",
            "pilots",
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
    def get_allowed_transitions(self, obj) -> list[str]:
        """States the requesting user may move this enrolment to (from the transition table)."""
        request = self.context.get("request")
        if request is None or request.user.is_read_only:
            return []
        return obj.allowed_transitions(request.user.role)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=EnrolmentState.choices, label=_("nouvel état"))
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, label=_("motif")
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


class MissionSerializer(serializers.ModelSerializer):
    company = serializers.IntegerField(source="enrolment.company_id", read_only=True)
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
            "created_at",
        ]
        read_only_fields = fields
