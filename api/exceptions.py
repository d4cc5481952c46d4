"""Business rule refusals answer 400 with the French message under the field at fault."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.exceptions import BusinessRuleError


def api_exception_handler(exc, context):
    if isinstance(exc, BusinessRuleError):
        key = exc.field or api_settings.NON_FIELD_ERRORS_KEY
        exc = exceptions.ValidationError({key: [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        detail = (
            {
                (api_settings.NON_FIELD_ERRORS_KEY if k == "__all__" else k): v
                for k, v in exc.message_dict.items()
            }
            if hasattr(exc, "error_dict")
            else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("Corps de la requête illisible (JSON attendu)."))
    return exception_handler(exc, context)
