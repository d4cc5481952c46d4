"""How the OpenAPI schema describes our authentication."""

from django.db import OperationalError
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from catalogue.models import Offer
from core.models import Departement, Relay


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "jetonPersonnel"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Jeton personnel créé dans « Mon profil › Jetons d'API » ; "
                "en-tête `Authorization: Bearer <jeton>`."
            ),
        }


# --- Error statuses documented on every operation (postprocessing hook) -----------------------

_ERROR = {"$ref": "#/components/schemas/Erreur"}
_VALIDATION = {"$ref": "#/components/schemas/ErreursDeSaisie"}
_ERROR_STATUSES = {
    "400": (
        "Paramètre ou saisie refusés : les messages (en français) sous le nom du paramètre ou du "
        "champ, ou sous `non_field_errors`",
        _VALIDATION,
    ),
    "401": ("Jeton absent, inconnu ou révoqué", _ERROR),
    "403": ("Rôle sans ce droit (la Région est en lecture seule)", _ERROR),
    "404": ("Objet inconnu ou hors de votre périmètre, ou page au-delà de la dernière", _ERROR),
    "409": ("Conflit : l'objet a changé entre-temps (rechargez-le puis recommencez)", _ERROR),
    "429": ("Débit dépassé : réessayez après `Retry-After` secondes", _ERROR),
}
_WRITE_METHODS = {"post", "put", "patch", "delete"}


def _reference_values() -> dict[str, list[str]]:
    """Reference data a parameter or field takes by its identifier (read when the schema is).

    Without a database (`manage.py check --deploy` on a build machine) the schema is still
    generated, without these enums."""
    try:
        return {
            "relay": sorted(Relay.objects.values_list("slug", flat=True)),
            "departement": sorted(Departement.objects.values_list("code", flat=True)),
            "offer": sorted(Offer.objects.values_list("code", flat=True)),
        }
    except OperationalError:
        return {}


def reference_enums(result, generator, request, public):
    """Identifiers of reference data as enums (drf-spectacular hook): the schema lists the
    values the API accepts (relay slugs, département codes, offer codes), in the query
    parameters of that name and in the `departement` field of request bodies."""
    values = _reference_values()
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                name = parameter.get("name")
                if parameter.get("in") == "query" and name in values:
                    parameter["schema"] = {
                        **parameter.get("schema", {}),
                        "type": "string",
                        "enum": values[name],
                    }
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        field = component.get("properties", {}).get("departement")
        if field is not None and field.get("type") == "string" and "departement" in values:
            field["enum"] = values["departement"]
    return result


def document_error_statuses(result, generator, request, public):
    """Every operation documents the error statuses the API may answer (drf-spectacular hook).

    400 where the operation takes query parameters or a body, 409 on writes, 401, 403, 404
    and 429 everywhere; each with its body (`{"detail": "…"}` or the messages per field).
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Erreur"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas["ErreursDeSaisie"] = {
        "type": "object",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _WRITE_METHODS | {"get", "head"}:
                continue
            takes_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            responses = operation.setdefault("responses", {})
            for status, (description, schema) in _ERROR_STATUSES.items():
                if status == "400" and not takes_input:
                    continue
                if status == "409" and method not in _WRITE_METHODS:
                    continue
                documented = responses.setdefault(status, {"description": description})
                documented.setdefault("content", {"application/json": {"schema": schema}})
                if status == "429":
                    responses[status].setdefault(
                        "headers",
                        {
                            "Retry-After": {
                                "schema": {"type": "integer"},
                                "description": "secondes à attendre",
                            }
                        },
                    )
    return result
