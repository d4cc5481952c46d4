"""How the OpenAPI schema describes our authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
