"""Filters of the reporting pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Relay
from funding.forms import PeriodFilterForm


class RegisterFilterForm(PeriodFilterForm):
    """The de minimis register: a period of signature dates and, for those who see every
    relay, one relay."""

    relay = forms.ModelChoiceField(
        label=_("Structure relais"),
        queryset=Relay.objects.order_by("name"),
        required=False,
        empty_label=_("Toutes"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and getattr(user, "relay_id", None) and not user.is_superuser:
            # relay staff see their relay's register only
            self.fields["relay"].queryset = Relay.objects.filter(pk=user.relay_id)
