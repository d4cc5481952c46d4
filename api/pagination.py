"""Page-number pagination whose query parameters are validated like the schema says.

`page` is a whole number from 1 (a page past the last one is a 404, as DRF answers), and
`page_size` a whole number from 1 to 200: anything else is a 400 with a French message,
never silently replaced by a default (DRF's behaviour) nor a 404.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(request, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    if name not in request.query_params:
        return None
    raw = request.query_params[name]
    if not raw.isascii() or not raw.isdigit() or not (minimum <= int(raw) <= (maximum or 2**31)):
        if maximum is None:
            message = _("Entier supérieur ou égal à %(min)s attendu.") % {"min": minimum}
        else:
            message = _("Entier de %(min)s à %(max)s attendu.") % {"min": minimum, "max": maximum}
        raise ValidationError({name: [message]})
    return int(raw)


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # `page` is a number, as documented

    def paginate_queryset(self, queryset, request, view=None):
        _whole_number(request, self.page_query_param, minimum=1)
        _whole_number(request, self.page_size_query_param, minimum=1, maximum=self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 2**31}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters
