"""Who may open which URL: the expectations of the authorization matrix, one line per pattern.

tests/core/test_authorization_matrix.py enumerates every URL pattern of the project from the
resolver and fails for a pattern without an entry here. Adding a page = adding one line:

    "core:audit_log": only(DIRECTOR, ADMIN),                       # a page without object
    "core:my_data": login(),                                       # every logged-in user
    "enrolment:thing": only(OWNER, *STAFF, obj="enrolment"),       # an object page
    "enrolment:thing_delete": post(RELAY_STAFF, obj="enrolment"),  # POST-only

Vocabulary (see `Expect`):
- `ok`: the logged-in roles answered normally (`status`, 200 unless said) on their OWN object;
  every other logged-in role must get 403 or 404; anonymous is sent to the login page
  (`public(...)` pages answer anonymous too; the API answers anonymous 401).
- `obj`: the kind of object in the URL (tests/core/authz_world.py); each role opens its own
  one, then the foreign one (another company / relay / consultant's mission), which must be a
  404 except for the roles in `foreign_ok` (by default director, Region, administrator).
- `post(...)`: a POST-only view: a GET is a 405; a POST by a role outside `ok` is refused
  (403/404), on a foreign object too; a POST by an `ok` role on its own object is not refused.
- `writers`: for a GET+POST page, the roles of `ok` that may POST; a POST by the others (the
  read-only Region, for instance) must be refused.
- every page a side-A user (owner, relay staff, consultant, trainer) is shown must not contain
  the foreign company's name.
- `data`: what a POST sends (a check that comes after the form's validation needs a full form).
- `heavy`: a costly page (PDF, schema): its normal answer is asserted for one role per side.
- `admin:` patterns are covered by one grouped rule (`admin_case` in the test module).

A new kind of object in a URL needs its own and foreign instances in
tests/core/authz_world.py (`objects`, one entry: URL kwargs for each side).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.roles import Role

OWNER = Role.OWNER.value
RELAY_STAFF = Role.RELAY_STAFF.value
CONSULTANT = Role.CONSULTANT.value
TRAINER = Role.TRAINER.value
DIRECTOR = Role.DIRECTOR.value
REGION = Role.REGION.value
ADMIN = Role.ADMIN.value

ALL = (OWNER, RELAY_STAFF, CONSULTANT, TRAINER, DIRECTOR, REGION, ADMIN)
SEE_ALL = frozenset({DIRECTOR, REGION, ADMIN})
#: relay staff and the programme's staff (the Region reads)
STAFF = (RELAY_STAFF, DIRECTOR, REGION, ADMIN)
#: the staff who act (the Region is read-only)
ACTING = (RELAY_STAFF, DIRECTOR, ADMIN)
LOGIN = "login"


@dataclass(frozen=True)
class Expect:
    ok: frozenset[str]
    obj: str | None = None
    status: int = 200
    status_by_role: Mapping[str, int] = field(default_factory=dict)
    foreign_ok: frozenset[str] = SEE_ALL
    foreign_status: int = 404
    anonymous: int | str = LOGIN
    post_only: bool = False
    writers: frozenset[str] | None = None
    kwargs: Mapping[str, object] = field(default_factory=dict)
    api: bool = False
    query: str = ""
    #: what a POST sends; "{kind}" in a value is the pk of the role's own object of that kind
    data: Mapping[str, object] = field(default_factory=dict)
    #: an expensive page (a PDF rendered, the schema generated): its normal answer is asserted
    #: for one role per side only; every refusal is still asserted
    heavy: bool = False

    def status_for(self, role: str) -> int:
        return self.status_by_role.get(role, self.status)


def _expect(roles, **kw) -> Expect:
    for key in ("foreign_ok", "writers"):
        if kw.get(key) is not None:
            kw[key] = frozenset(kw[key])
    return Expect(ok=frozenset(roles), **kw)


def public(status: int = 200, **kw) -> Expect:
    """Anyone, anonymous included, gets `status`."""
    return _expect(ALL, status=status, anonymous=kw.pop("anonymous", status), **kw)


def login(status: int = 200, **kw) -> Expect:
    """Every logged-in role; anonymous goes to the login page."""
    return _expect(ALL, status=status, **kw)


def only(*roles: str, **kw) -> Expect:
    return _expect(roles, **kw)


def post(*roles: str, **kw) -> Expect:
    return _expect(roles, post_only=True, **kw)


def api(*roles: str, **kw) -> Expect:
    return _expect(roles, api=True, **kw)


#: the roles that see an object family in the API / on the portal, besides director, Region, admin
COMPANY_SIDE = (OWNER, RELAY_STAFF, CONSULTANT, *SEE_ALL)

EXPECTATIONS: dict[str, Expect] = {
    # --- project level, auth pages, i18n --------------------------------------------------
    "healthz": public(),
    "login": public(),
    "logout": public(405, anonymous=405),  # POST-only (Django's LogoutView)
    "password_change": login(),
    "password_change_done": login(),
    "password_reset": public(),
    "password_reset_done": public(),
    "password_reset_confirm": public(kwargs={"uidb64": "MQ", "token": "bad-token"}),
    "password_reset_complete": public(),
    "set_language": public(302, query="?next=/"),
    # --- core -------------------------------------------------------------------------------
    "core:home": login(status_by_role={REGION: 302}),  # the Region lands on its dashboard
    "core:profile": login(),
    "core:reminder_preferences": login(),
    "core:outbox_failures": only(DIRECTOR, ADMIN),
    "core:outbox_retry": post(DIRECTOR, ADMIN, obj="outbox_message"),
    "core:mailbox": only(ADMIN),
    "core:mailbox_detail": only(ADMIN, obj="mail"),
    # --- accounts: second factor, re-authentication, personal data, audit (issue 9) -----------
    # (the matrix's sessions have passed the second factor and typed their password just now)
    "core:otp_verify": login(302),  # verified, or no device yet: sent on
    "core:otp_setup": login(status_by_role={DIRECTOR: 302, REGION: 302, ADMIN: 302}),  # has one
    "core:reauth": login(),
    "core:security": login(),
    "core:backup_codes": post(*ALL),  # the user's own codes
    "core:otp_disable": post(*ALL),  # refused by the service for the roles that need it
    "core:my_data": login(),
    "core:my_data_export": login(),
    "core:rgpd": only(DIRECTOR, ADMIN),
    "core:rgpd_export": only(DIRECTOR, ADMIN, status=400),  # 400: no person named
    "core:rgpd_anonymise": post(DIRECTOR, ADMIN),
    "core:audit_log": only(DIRECTOR, ADMIN),
    # footer pages
    "core:accessibility": public(),
    "core:legal_notice": public(),
    "core:personal_data_policy": public(),
    # --- enrolment: the owner's journey -------------------------------------------------------
    "enrolment:landing": public(),
    # anonymous: the sign-up form; an owner with dossiers in progress is sent to them
    "enrolment:start": only(OWNER, ADMIN, anonymous=200, status_by_role={OWNER: 302}),
    "enrolment:company_detail": only(*COMPANY_SIDE, obj="company"),
    "enrolment:status": only(OWNER, ADMIN, obj="enrolment"),
    "enrolment:company": only(OWNER, ADMIN, obj="draft"),
    # the check page opens once an offer is saved: a diagnosed enrolment without one is sent on
    "enrolment:review": only(OWNER, ADMIN, obj="diagnosed", status=302),
    "enrolment:confirmation": only(OWNER, ADMIN, obj="enrolment"),  # the receipt of a sent request
    "enrolment:diagnosis": only(OWNER, ADMIN, obj="enrolment", status=302),  # starts, redirects
    "enrolment:offer": only(OWNER, ADMIN, obj="diagnosed"),
    "enrolment:deminimis": only(OWNER, ADMIN, obj="diagnosed"),
    # --- enrolment: relay staff ---------------------------------------------------------------
    "enrolment:staff_list": only(*STAFF),
    "enrolment:staff_export": only(*STAFF),
    # the Region may export a selection, not validate it
    "enrolment:staff_bulk": post(*ACTING, data={"action": "validate", "selection": "{waiting}"}),
    "enrolment:staff_detail": only(*STAFF, obj="enrolment"),
    # the Region reads the declaration's versions; the acting staff correct it
    "enrolment:staff_deminimis": only(*STAFF, obj="enrolment", writers=frozenset(ACTING)),
    # attaching the company to another relay: the acting staff only (the Region reads, 403)
    "enrolment:staff_reattach": only(*ACTING, obj="enrolment"),
    "enrolment:staff_action": post(*ACTING, obj="enrolment", kwargs={"action": "note"}),
    # the dossier's thread: the owner and the relay's side write, the Region reads, experts never
    "enrolment:messages": only(OWNER, *STAFF, obj="enrolment", writers=(OWNER, *ACTING)),
    "enrolment:message_attachment": only(OWNER, *STAFF, obj="dossier_message"),
    # an export belongs to who asked for it, whoever they are (nobody else, not even the director)
    "enrolment:export_status": login(obj="export_job", foreign_ok=()),
    "enrolment:export_progress": login(obj="export_job", foreign_ok=()),
    "enrolment:export_download": login(obj="export_job", foreign_ok=()),
    # --- agreements ----------------------------------------------------------------------------
    "agreements:agreement_detail": only(*COMPANY_SIDE, obj="enrolment"),
    "agreements:agreement_download": only(*COMPANY_SIDE, obj="agreement_version"),
    "agreements:agreement_signed_copy": only(*COMPANY_SIDE, obj="enrolment"),
    # only the company's owner accepts (the service checks it after the form: send a full form)
    "agreements:agreement_accept": post(
        OWNER, obj="enrolment", data={"version": "1", "accept": "on"}
    ),
    "agreements:agreement_upload": post(*ACTING, obj="enrolment"),
    "agreements:closing_report_pdf": only(*COMPANY_SIDE, obj="enrolment", heavy=True),
    "agreements:agreement_batch_new": only(*ACTING),
    # a batch belongs to the relay staff who started it
    "agreements:agreement_batch_detail": only(*ACTING, obj="batch"),
    "agreements:agreement_batch_progress": only(*ACTING, obj="batch"),
    "agreements:agreement_batch_zip": only(*ACTING, obj="batch"),
    # --- collective action ---------------------------------------------------------------------
    "collective:group_list": only(*STAFF),
    "collective:group_create": only(*ACTING),
    "collective:group_detail": only(*STAFF, obj="group"),
    "collective:group_member_add": post(*ACTING, obj="group"),
    "collective:group_member_remove": post(*ACTING, obj="membership"),
    "collective:seminar_create": only(*ACTING, obj="group"),
    "collective:seminar_detail": only(*STAFF, obj="seminar", writers=ACTING),
    "collective:seminar_edit": only(*ACTING, obj="seminar"),
    "collective:seminar_ics": only(OWNER, *STAFF, obj="seminar"),
    "collective:followup_list": only(*STAFF),
    # the group's network: its members (owner of a member company) and the staff who read it
    "collective:group_network": only(OWNER, *STAFF, obj="group"),
    # what a member shows: only the company's owner chooses (GET + POST), or withdraws
    "collective:network_consent": only(OWNER, obj="network_consent", writers=(OWNER,)),
    "collective:network_consent_withdraw": post(OWNER, obj="network_consent"),
    # a fresh satisfaction link: the mission's relay staff, the director, the administrator
    "collective:satisfaction_resend": post(*ACTING, obj="survey"),
    "collective:followup_resend": post(*ACTING, obj="followup"),
    # the signed e-mail link: no account needed; a tampered link is refused (403)
    "collective:followup_answer": public(obj="followup_link", foreign_ok=(), foreign_status=403),
    # the satisfaction questionnaire's signed link: same rule (tampered or foreign: 403)
    "collective:satisfaction_answer": public(
        obj="satisfaction_link", foreign_ok=(), foreign_status=403
    ),
    # --- diagnostics ---------------------------------------------------------------------------
    "diagnostics:take": only(*COMPANY_SIDE, obj="draft_diagnosis", writers=(OWNER, ADMIN)),
    "diagnostics:theme": only(
        *COMPANY_SIDE, obj="draft_diagnosis", writers=(OWNER, ADMIN), kwargs={"number": 1}
    ),
    "diagnostics:results": only(*COMPANY_SIDE, obj="diagnosis"),
    "diagnostics:chart": only(*COMPANY_SIDE, obj="diagnosis"),
    # --- consultants: pool, queue, missions -------------------------------------------------
    "consultants:pool": only(*STAFF),
    "consultants:pool_import": only(DIRECTOR, ADMIN),
    "consultants:pool_export": only(*SEE_ALL),
    "consultants:overview": only(*SEE_ALL),
    "consultants:queue": only(*STAFF),
    "consultants:queue_detail": only(*STAFF, obj="waiting", writers=(DIRECTOR, ADMIN)),
    # relay staff see every consultant of the pool; a consultant or trainer only themself
    "consultants:profile": only(
        RELAY_STAFF,
        CONSULTANT,
        TRAINER,
        *SEE_ALL,
        obj="expert",
        foreign_ok=(RELAY_STAFF, *SEE_ALL),
        writers=(DIRECTOR, ADMIN),
    ),
    "consultants:missions": login(),
    "consultants:proposal_answer": post(CONSULTANT, obj="proposal", kwargs={"answer": "accept"}),
    "consultants:mission": only(*COMPANY_SIDE, obj="mission"),
    # the mission page with an action: a GET shows the page; a POST of a relay action
    # (amendment, close) is the mission's relay staff's or the director's (not the Region's),
    # a POST of the consultant's actions (half-day, plan, measurement…) the consultant's
    "consultants:mission_action": only(
        *COMPANY_SIDE,
        obj="mission",
        kwargs={"action": "amendment"},
        writers=(RELAY_STAFF, DIRECTOR, ADMIN),
        heavy=True,  # the same page as consultants:mission, asserted in full there
    ),
    "consultants:mission_action_on": only(
        *COMPANY_SIDE,
        obj="mission",
        kwargs={"action": "measurement", "target": 0},
        writers=(CONSULTANT,),
    ),
    # --- pilots' training ------------------------------------------------------------------------
    "consultants:training_home": only(TRAINER, *STAFF),
    "consultants:training_session_create": only(*ACTING),
    "consultants:training_session": only(
        TRAINER, *STAFF, obj="session", writers=(TRAINER, *ACTING)
    ),
    "consultants:trainee_detail": only(TRAINER, *STAFF, obj="trainee", writers=(TRAINER, *ACTING)),
    # not passed yet: the certificate page sends back to the trainee (302)
    "consultants:trainee_certificate": only(OWNER, TRAINER, *STAFF, obj="trainee", status=302),
    "consultants:training_enrol": post(*ACTING, obj="enrolment_pk"),
    # --- funding ---------------------------------------------------------------------------------
    "reporting:dashboard": only(*STAFF),
    "reporting:deminimis_register": only(*STAFF),
    "funding:ledger_index": only(*STAFF, status_by_role={RELAY_STAFF: 302}),  # → their ledger
    "funding:instalments": only(*STAFF, writers=(REGION, ADMIN)),
    "funding:ledger": only(*STAFF, obj="relay_slug"),
    "funding:journal": only(*STAFF, obj="relay_slug"),
    "funding:payment_create": only(RELAY_STAFF, ADMIN, obj="relay_slug", foreign_ok=(ADMIN,)),
    "funding:period_close": post(RELAY_STAFF, ADMIN, obj="relay_slug", foreign_ok=(ADMIN,)),
    "funding:company_statement": only(*STAFF, obj="company_statement"),
    "funding:consultant_statement": only(*STAFF, obj="consultant_statement"),
    # --- API tokens page ---------------------------------------------------------------------------
    "api_tokens:list": login(),
    "api_tokens:revoke": post(*ALL, obj="api_token", foreign_ok=()),
    # --- API (token auth; anonymous 401; a foreign object is a 404) -------------------------------
    # the schema and its documentation are public (they describe the API, not its data)
    "api:schema": api(*ALL, anonymous=200, heavy=True),
    "api:docs": api(*ALL, anonymous=200),
    "api:dashboard": api(*STAFF),
    "api:relay-list": api(*ALL),
    "api:relay-detail": api(OWNER, RELAY_STAFF, *SEE_ALL, obj="relay"),
    "api:departement-list": api(*ALL),
    "api:departement-detail": api(*ALL, obj="departement", foreign_ok=ALL),
    "api:offer-list": api(*ALL),
    "api:offer-detail": api(*ALL, obj="offer", foreign_ok=ALL),
    "api:company-list": api(*ALL),
    "api:company-detail": api(*COMPANY_SIDE, obj="company"),
    "api:enrolment-list": api(*ALL),
    "api:enrolment-detail": api(*COMPANY_SIDE, obj="enrolment"),
    # one endpoint per workflow action (POST only); the action itself then refuses a state or a
    # precondition with a 400: what the matrix checks is who reaches it at all
    "api:enrolment-action-submit": api(OWNER, ADMIN, obj="enrolment", post_only=True),
    "api:enrolment-action-evaluate-eligibility": api(*ACTING, obj="enrolment", post_only=True),
    "api:enrolment-action-derogate": api(
        *ACTING, obj="enrolment", post_only=True, data={"justification": "Test"}
    ),
    "api:enrolment-action-diagnose": api(OWNER, ADMIN, obj="enrolment", post_only=True),
    "api:enrolment-action-choose-offer": api(
        OWNER, ADMIN, obj="enrolment", post_only=True, data={"offer": "ciblee"}
    ),
    "api:enrolment-action-validate": api(*ACTING, obj="enrolment", post_only=True),
    "api:enrolment-action-send-back": api(
        *ACTING, obj="enrolment", post_only=True, data={"comment": "Test"}
    ),
    "api:enrolment-action-assign-consultant": api(
        CONSULTANT, DIRECTOR, ADMIN, obj="enrolment", post_only=True
    ),
    "api:enrolment-action-accept-agreement": api(OWNER, ADMIN, obj="enrolment", post_only=True),
    "api:enrolment-action-sign-agreement": api(*ACTING, obj="enrolment", post_only=True),
    "api:enrolment-action-start": api(*ACTING, obj="enrolment", post_only=True),
    "api:enrolment-action-close": api(*ACTING, obj="enrolment", post_only=True),
    "api:enrolment-action-withdraw": api(
        OWNER, *ACTING, obj="enrolment", post_only=True, data={"reason": "Test"}
    ),
    "api:expert-list": api(*ALL),
    "api:expert-detail": api(
        RELAY_STAFF, CONSULTANT, TRAINER, *SEE_ALL, obj="expert", foreign_ok=(RELAY_STAFF, *SEE_ALL)
    ),
    "api:mission-list": api(*ALL),
    "api:mission-detail": api(*COMPANY_SIDE, obj="mission"),
    # the API lets a superuser write anything; the service then refuses who is not the consultant
    "api:mission-half-days": api(CONSULTANT, ADMIN, obj="mission", post_only=True),
    "api:diagnosis-list": api(*ALL),
    "api:diagnosis-detail": api(*COMPANY_SIDE, obj="diagnosis"),
    "api:action-plan-list": api(*ALL),
    "api:action-plan-detail": api(*COMPANY_SIDE, obj="plan"),
    "api:indicator-list": api(*ALL),
    "api:indicator-detail": api(*COMPANY_SIDE, obj="indicator"),
    "api:ledger-entry-list": api(*ALL),
    "api:ledger-entry-detail": api(RELAY_STAFF, *SEE_ALL, obj="ledger_entry"),
    "api:balance-list": api(*ALL),
    "api:balance-detail": api(RELAY_STAFF, *SEE_ALL, obj="account"),
}
