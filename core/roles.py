"""The portal's roles and the named sets of roles every rule uses.

Each set of roles has one name here; views, services, templates (through the `roles` context
processor: `{% if roles.staff %}`), the API and the apps' navigation use the name, never a
list of roles written out again. A superuser counts as in every set.
"""

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


#: The programme's staff, who act on enrolments, agreements, groups and training:
#: relay staff (their relay), the programme director and administrators.
STAFF_ROLES = frozenset({Role.RELAY_STAFF, Role.DIRECTOR, Role.ADMIN})
#: Who reads the staff pages: the staff and the Region, which watches and changes nothing.
STAFF_READER_ROLES = STAFF_ROLES | {Role.REGION}
#: Roles that see every relay's data (the Region read-only).
SEE_ALL_ROLES = frozenset({Role.DIRECTOR, Role.REGION, Role.ADMIN})
#: The programme's direction: the pool, consultant designation, questionnaires, the audit.
DIRECTION_ROLES = frozenset({Role.DIRECTOR, Role.ADMIN})
#: Who approves the Region's aid instalments.
AID_APPROVER_ROLES = frozenset({Role.REGION, Role.ADMIN})
#: Who writes a relay's ledger (payments, period close); relay staff only their own relay's.
LEDGER_WRITER_ROLES = frozenset({Role.RELAY_STAFF, Role.ADMIN})
#: The experts of the pool.
EXPERT_ROLES = frozenset({Role.CONSULTANT, Role.TRAINER})
#: Who organises the pilots' training and records it: the staff and the trainers.
TRAINING_RECORDER_ROLES = STAFF_ROLES | {Role.TRAINER}
#: Who reads the training pages: the staff, the Region and the trainers.
TRAINING_READER_ROLES = STAFF_READER_ROLES | {Role.TRAINER}

#: The sets templates may test, by the name they use (`roles.<name>`).
TEMPLATE_ROLE_SETS = {
    "staff": STAFF_ROLES,
    "staff_reader": STAFF_READER_ROLES,
    "see_all": SEE_ALL_ROLES,
    "direction": DIRECTION_ROLES,
    "aid_approver": AID_APPROVER_ROLES,
    "ledger_writer": LEDGER_WRITER_ROLES,
    "expert": EXPERT_ROLES,
    "training_recorder": TRAINING_RECORDER_ROLES,
    "training_reader": TRAINING_READER_ROLES,
}


def has_role(user, roles) -> bool:
    """Whether `user` is logged in with one of `roles` (a superuser always is)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.role in roles


def role_flags(user) -> dict[str, bool]:
    """`{"staff": True, "aid_approver": False, …}` for templates (see TEMPLATE_ROLE_SETS)."""
    return {name: has_role(user, roles) for name, roles in TEMPLATE_ROLE_SETS.items()}
