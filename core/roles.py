"""The portal's roles and what each may do in broad strokes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Chef d'entreprise")
    RELAY_STAFF = "relay_staff", _("Chargé de mission (structure relais)")
    DIRECTOR = "director", _("Directeur de projet")
    CONSULTANT = "consultant", _("Consultant")
    TRAINER = "trainer", _("Formateur")
    REGION = "region", _("Chargé de mission Région")
    ADMIN = "admin", _("Administrateur")


#: Roles that see every relay's data (the Region read-only).
SEE_ALL_ROLES = frozenset({Role.DIRECTOR, Role.REGION, Role.ADMIN})
