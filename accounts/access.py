"""Who may do what: the permission matrix, written once as data.

Every named URL pattern has one entry in ROUTES, and a page without one is refused
(accounts.middleware.AccessMiddleware answers 403): deny by default, also for new views.
tests/test_permission_matrix.py walks every URL pattern for every role against this
table and fails when a route has no entry or an entry names no route.

Adding a page is one line:

    "app:url-name": Rule(ACTION, "app.permission_codename", SCOPE, {FIELD_GROUPS}),

- ACTION: what the page does, in VIEW, CREATE, CHANGE, EXPORT, SIGN_IN.
- permission: the Django permission the user must hold (checked by the middleware
  before the view runs; 403 without it), a tuple of them when all are needed, or None
  for any signed-in user (and for PUBLIC and KEY pages, for anyone).
  `post=` names a further permission needed to POST to a page that also shows a form.
- SCOPE: which records the view lets the user reach (the view enforces it where it
  fetches them; a record outside answers 404 with a `denied` audit entry):
    PUBLIC        anyone, no login (the page must also be @login_not_required)
    KEY           anyone holding the key in the URL (the partner's answer link)
    OWN_ACCOUNT   only the signed-in user's own account
    SHARED        reference data shared by every centre (partner directory, postcodes)
    CENTRE        records of the user's own centre (accounts.scoping.scoped_to_center)
    CASE          own centre, and restricted (要配慮) cases only for their assignee and
                  holders of consultations.view_restricted_case (Case.objects.visible_to)
    REGION        statistics: own centre, or every centre with
                  reports.view_region_statistics
    WHOLE_RECORD  one client of the user's own centre with all their cases, restricted
                  ones included: the privacy officer answering a disclosure request
                  (開示請求) must leave nothing out
- FIELD_GROUPS: what the page shows: COUNTS (statistics, no names), DIRECTORY
  (partners and their contact persons), STAFF (colleagues' names), PERSONAL (clients'
  and members' names and contact details), RESTRICTED (要配慮 content: consultation
  summaries, case notes, hand-off sheets). RESTRICTED only on CASE-scoped pages (and
  the partner's KEY page and the privacy officer's WHOLE_RECORD pages).
- post_only=True: the page changes something and answers only POST (its view has
  @require_POST; a GET answers 405).
- record=: the model (app_label.Model) the URL's arguments name, e.g. the case of
  /cases/<number>/, so the matrix test can build the URL for own and other centres'
  records.

The Django admin (namespace "admin") has its own login and permissions and is not in
the table. ROLE_GRANTS says which permissions each role's group holds; a test checks
the groups made by the migrations against it.
"""

from dataclasses import dataclass

from .models import Role

# Actions
VIEW = "view"
CREATE = "create"
CHANGE = "change"
EXPORT = "export"
SIGN_IN = "sign-in"

# Scopes
PUBLIC = "public"
KEY = "key"
OWN_ACCOUNT = "own account"
SHARED = "shared"
CENTRE = "centre"
CASE = "case"
REGION = "region"
WHOLE_RECORD = "whole record"

# Field groups
COUNTS = "counts"
DIRECTORY = "directory"
STAFF = "staff"
PERSONAL = "personal"
RESTRICTED = "restricted"

# URL namespaces with a login and permissions of their own.
EXEMPT_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Rule:
    action: str
    permission: str | tuple[str, ...] | None
    scope: str
    fields: frozenset = frozenset()
    record: str | None = None
    post: str | None = None
    post_only: bool = False

    def __post_init__(self):
        object.__setattr__(self, "fields", frozenset(self.fields))

    def permissions(self, method="GET"):
        """The permissions a request with this method needs (all of them)."""
        needed = self.permission
        needed = () if needed is None else (needed,) if isinstance(needed, str) else needed
        if method == "POST" and self.post:
            needed = (*needed, self.post)
        return needed


ROUTES = {
    # Sign-in and the user's own account
    "login": Rule(SIGN_IN, None, PUBLIC),
    "alive": Rule(VIEW, None, PUBLIC),
    # Public, so the button pressed after a timeout still clears the browser.
    "logout": Rule(SIGN_IN, None, PUBLIC, post_only=True),
    # The second step of the login, and the authenticator app's set-up at a first login.
    "login-code": Rule(SIGN_IN, None, OWN_ACCOUNT),
    "two-factor-setup": Rule(SIGN_IN, None, OWN_ACCOUNT),
    "backup-codes": Rule(CHANGE, None, OWN_ACCOUNT),
    # A forgotten password, reset by a link sent by e-mail.
    "password_reset": Rule(SIGN_IN, None, PUBLIC),
    "password_reset_done": Rule(VIEW, None, PUBLIC),
    "password_reset_confirm": Rule(SIGN_IN, None, PUBLIC),
    "password_reset_complete": Rule(VIEW, None, PUBLIC),
    "password_change": Rule(CHANGE, None, OWN_ACCOUNT),
    "password_change_done": Rule(VIEW, None, OWN_ACCOUNT),
    # Whose records a colleague opened in a period (a suspected leak): numbers, no names.
    "accounts:access-report": Rule(VIEW, "accounts.view_auditevent", CENTRE, {STAFF}),
    "accounts:access-report-csv": Rule(EXPORT, "accounts.view_auditevent", CENTRE, {STAFF}),
    # The start page: every panel is scoped and shown by its own permission.
    "home": Rule(VIEW, None, CASE, {STAFF, PERSONAL, COUNTS}),
    # Partner directory
    "network:search": Rule(VIEW, "network.view_organisation", SHARED, {DIRECTORY}),
    "network:organisation-detail": Rule(
        VIEW, "network.view_organisation", SHARED, {DIRECTORY}, record="network.Organisation"
    ),
    "network:organisation-verify": Rule(
        CHANGE, "network.verify_organisation", SHARED, record="network.Organisation", post_only=True
    ),
    "network:service-detail": Rule(
        VIEW, "network.view_service", SHARED, {DIRECTORY}, record="network.Service"
    ),
    "network:unverified": Rule(VIEW, "network.view_organisation", SHARED, {DIRECTORY}),
    # Member register
    "members:member-list": Rule(VIEW, "members.view_member", CENTRE, {PERSONAL}),
    "members:member-create": Rule(CREATE, "members.add_member", CENTRE, {PERSONAL}),
    "members:fee-arrears": Rule(VIEW, "members.view_fee", CENTRE, {PERSONAL}),
    "members:dues": Rule(CREATE, "members.create_dues", CENTRE),
    "members:benefit-list": Rule(VIEW, "members.view_benefit", SHARED, {DIRECTORY}),
    "members:member-export-csv": Rule(EXPORT, "members.export_member", CENTRE, {PERSONAL}),
    "members:member-export-xlsx": Rule(EXPORT, "members.export_member", CENTRE, {PERSONAL}),
    "members:member-import": Rule(CREATE, "members.import_member", CENTRE, {PERSONAL}),
    "members:member-import-confirm": Rule(CREATE, "members.import_member", CENTRE, post_only=True),
    "members:member-detail": Rule(
        VIEW, "members.view_member", CENTRE, {PERSONAL}, record="members.Member"
    ),
    "members:member-update": Rule(
        CHANGE, "members.change_member", CENTRE, {PERSONAL}, record="members.Member"
    ),
    "members:member-renew": Rule(CREATE, "members.add_fee", CENTRE, record="members.Member"),
    "members:payment-create": Rule(CREATE, "members.add_payment", CENTRE, record="members.Member"),
    "members:member-leave": Rule(CHANGE, "members.change_member", CENTRE, record="members.Member"),
    "members:fee-waive": Rule(
        CHANGE, "members.change_fee", CENTRE, record="members.Fee", post_only=True
    ),
    "members:member-card": Rule(
        VIEW, "members.view_member", CENTRE, {PERSONAL}, record="members.Member"
    ),
    # Consultations: the intake, cases, clients, consents, hand-over notes
    "consultations:intake": Rule(
        CREATE, "consultations.add_consultation", CASE, {PERSONAL, RESTRICTED}
    ),
    "consultations:postcode-address": Rule(
        VIEW, "consultations.add_client", SHARED, post_only=True
    ),
    "consultations:case-list": Rule(VIEW, "consultations.view_case", CASE, {PERSONAL, RESTRICTED}),
    "consultations:case-detail": Rule(
        VIEW, "consultations.view_case", CASE, {PERSONAL, RESTRICTED}, record="consultations.Case"
    ),
    "consultations:case-edit": Rule(
        CHANGE, "consultations.change_case", CASE, {RESTRICTED}, record="consultations.Case"
    ),
    "consultations:case-add-note": Rule(
        CREATE, "consultations.add_caseevent", CASE, record="consultations.Case", post_only=True
    ),
    "consultations:case-change-status": Rule(
        CHANGE, "consultations.change_case", CASE, record="consultations.Case", post_only=True
    ),
    "consultations:case-close": Rule(
        CHANGE, "consultations.change_case", CASE, record="consultations.Case", post_only=True
    ),
    "consultations:case-reopen": Rule(
        CHANGE, "consultations.change_case", CASE, record="consultations.Case", post_only=True
    ),
    "consultations:client-detail": Rule(
        VIEW, "consultations.view_client", CASE, {PERSONAL}, record="consultations.Client"
    ),
    "consultations:client-edit": Rule(
        CHANGE, "consultations.change_client", CASE, {PERSONAL}, record="consultations.Client"
    ),
    "consultations:consent-create": Rule(
        CREATE, "consultations.add_consent", CASE, {PERSONAL}, record="consultations.Client"
    ),
    "consultations:consent-withdraw": Rule(
        CHANGE, "consultations.change_consent", CASE, record="consultations.Consent", post_only=True
    ),
    "consultations:handover-notes": Rule(
        VIEW,
        "consultations.view_handovernote",
        CENTRE,
        {STAFF},
        post="consultations.add_handovernote",
    ),
    "consultations:handover-note-read": Rule(
        CHANGE,
        "consultations.view_handovernote",
        CENTRE,
        record="consultations.HandoverNote",
        post_only=True,
    ),
    # Referrals
    "referrals:desk": Rule(VIEW, "referrals.view_referral", CASE, {PERSONAL, COUNTS}),
    "referrals:referral-create": Rule(
        CREATE, "referrals.add_referral", CASE, {PERSONAL, DIRECTORY}, record="consultations.Case"
    ),
    "referrals:referral-detail": Rule(
        VIEW, "referrals.view_referral", CASE, {PERSONAL, RESTRICTED}, record="referrals.Referral"
    ),
    "referrals:referral-ask": Rule(
        CHANGE, "referrals.change_referral", CASE, record="referrals.Referral", post_only=True
    ),
    "referrals:referral-send-link": Rule(
        CREATE, "referrals.add_partnerlink", CASE, record="referrals.Referral"
    ),
    "referrals:referral-answer": Rule(
        CHANGE, "referrals.change_referral", CASE, record="referrals.Referral", post_only=True
    ),
    "referrals:referral-referred": Rule(
        CHANGE, "referrals.change_referral", CASE, record="referrals.Referral", post_only=True
    ),
    "referrals:referral-follow-up": Rule(
        CREATE, "referrals.add_followup", CASE, record="referrals.Referral", post_only=True
    ),
    "referrals:referral-cancel": Rule(
        CHANGE, "referrals.change_referral", CASE, record="referrals.Referral", post_only=True
    ),
    "referrals:sheet-edit": Rule(
        CHANGE, "referrals.change_handoffsheet", CASE, {RESTRICTED}, record="referrals.Referral"
    ),
    "referrals:sheet-approve": Rule(
        CHANGE, "referrals.change_handoffsheet", CASE, record="referrals.Referral", post_only=True
    ),
    "referrals:sheet-print": Rule(
        VIEW,
        "referrals.view_handoffsheet",
        CASE,
        {PERSONAL, RESTRICTED},
        record="referrals.Referral",
    ),
    "referrals:case-referrals": Rule(
        VIEW, "referrals.view_referral", CASE, {DIRECTORY}, record="consultations.Case"
    ),
    "referrals:client-referrals": Rule(
        VIEW, "referrals.view_referral", CASE, {DIRECTORY}, record="consultations.Client"
    ),
    # Counts of the centre's referrals to one partner of the shared directory.
    "referrals:partner-record": Rule(
        VIEW, "referrals.view_referral", CENTRE, {COUNTS}, record="network.Organisation"
    ),
    "referrals:provision-list": Rule(
        VIEW,
        "referrals.view_provisionrecord",
        CASE,
        {PERSONAL, DIRECTORY},
        record="consultations.Client",
    ),
    "referrals:provision-export": Rule(
        EXPORT,
        "referrals.export_provisionrecord",
        CASE,
        {PERSONAL, DIRECTORY},
        record="consultations.Client",
    ),
    "referrals:partner-answer": Rule(CHANGE, None, KEY, {RESTRICTED}),
    # The privacy officer: a client's whole record, restricted cases included (a
    # disclosure leaves nothing out), and the stop of its use.
    "privacy:clients": Rule(VIEW, "consultations.disclose_client", WHOLE_RECORD, {PERSONAL}),
    "privacy:disclosure": Rule(
        EXPORT,
        "consultations.disclose_client",
        WHOLE_RECORD,
        {PERSONAL, RESTRICTED, DIRECTORY, STAFF},
        record="consultations.Client",
    ),
    "privacy:use-stop": Rule(
        CHANGE,
        "consultations.stop_use_client",
        WHOLE_RECORD,
        {PERSONAL},
        record="consultations.Client",
    ),
    "privacy:use-resume": Rule(
        CHANGE,
        "consultations.stop_use_client",
        WHOLE_RECORD,
        {PERSONAL},
        record="consultations.Client",
        post_only=True,
    ),
    # Statistics
    "reports:dashboard": Rule(VIEW, "reports.view_statistics", REGION, {COUNTS}),
    "reports:summary": Rule(VIEW, "reports.view_statistics", REGION, {COUNTS}),
    "reports:rengo": Rule(VIEW, "reports.view_statistics", REGION, {COUNTS}),
    "reports:mhlw": Rule(VIEW, "reports.view_statistics", REGION, {COUNTS}),
    "reports:fields": Rule(VIEW, "reports.view_statistics", REGION, {COUNTS}),
    "reports:checklist": Rule(
        VIEW,
        "reports.view_selfassessment",
        REGION,
        {COUNTS},
        post="reports.change_selfassessment",
    ),
    "reports:export-dashboard": Rule(
        EXPORT, ("reports.view_statistics", "reports.export_statistics"), REGION, {COUNTS}
    ),
    "reports:export": Rule(
        EXPORT, ("reports.view_statistics", "reports.export_statistics"), REGION, {COUNTS}
    ),
}


def rule_for(view_name):
    """The matrix entry of a resolved view name ("app:url-name"), or None."""
    return ROUTES.get(view_name)


def open_before_second_factor(view_name):
    """Whether a user who has given the password but not yet the code may open the page:
    the public pages and the steps of signing in, nothing else."""
    rule = ROUTES.get(view_name)
    return rule is not None and (rule.scope == PUBLIC or rule.action == SIGN_IN)


# What each role's group holds: granted by the apps' data migrations, checked against
# this list by accounts/tests/test_access.py. Listed by app, then model.
_DIRECTORY_READ = {
    "network.view_category",
    "network.view_municipality",
    "network.view_organisation",
    "network.view_prefecture",
    "network.view_schedule",
    "network.view_service",
    "network.view_topic",
}
_CASEWORK = {
    "consultations.add_case",
    "consultations.change_case",
    "consultations.view_case",
    "consultations.add_caseevent",
    "consultations.view_caseevent",
    "consultations.add_client",
    "consultations.change_client",
    "consultations.view_client",
    "consultations.add_consent",
    "consultations.change_consent",
    "consultations.view_consent",
    "consultations.add_consultation",
    "consultations.view_consultation",
    "consultations.add_handovernote",
    "consultations.view_handovernote",
    "members.view_benefit",
    "members.view_fee",
    "members.view_member",
    "members.view_membershiptype",
    "network.view_contact",
    "referrals.add_followup",
    "referrals.view_followup",
    "referrals.view_handoffsheet",
    "referrals.view_provisionrecord",
    "referrals.view_referral",
    "referrals.view_referralstep",
}


def _crud(app, *models, actions=("add", "change", "delete", "view")):
    return {f"{app}.{action}_{model}" for model in models for action in actions}


ROLE_GRANTS = {
    Role.COUNTER: frozenset(_DIRECTORY_READ | _CASEWORK),
    Role.COORDINATOR: frozenset(
        _DIRECTORY_READ
        | _CASEWORK
        | {
            "accounts.view_center",
            "accounts.view_user",
            "consultations.assign_case",
            "consultations.view_restricted_case",
            "members.add_fee",
            "members.change_fee",
            "members.add_member",
            "members.change_member",
            "members.export_member",
            "members.add_payment",
            "members.change_payment",
            "members.view_payment",
            "network.verify_organisation",
            "referrals.add_partnerlink",
            "referrals.view_partnerlink",
            "referrals.add_referral",
            "referrals.change_referral",
            "referrals.change_handoffsheet",
            "referrals.export_provisionrecord",
            "reports.add_selfassessment",
            "reports.change_selfassessment",
            "reports.view_selfassessment",
            "reports.export_statistics",
            "reports.view_exact_counts",
            "reports.view_statistics",
        }
    ),
    Role.MANAGER: frozenset(
        _crud("accounts", "center", "user", actions=("add", "change", "view"))
        | _crud("members", "benefit", "fee", "member", "membershiptype", "payment")
        | _crud(
            "network",
            "category",
            "contact",
            "municipality",
            "organisation",
            "prefecture",
            "schedule",
            "service",
            "topic",
        )
        | {
            "accounts.view_auditevent",
            "auth.view_group",
            "consultations.disclose_client",
            "consultations.stop_use_client",
            "privacy.view_deletionrecord",
            "members.assign_admin_only_type",
            "members.create_dues",
            "members.export_member",
            "members.import_member",
            "network.exchange_hsds",
            "network.verify_organisation",
            "reports.add_selfassessment",
            "reports.change_selfassessment",
            "reports.view_selfassessment",
            "reports.export_statistics",
            "reports.view_exact_counts",
            "reports.view_region_statistics",
            "reports.view_statistics",
        }
    ),
    Role.VIEWER: frozenset(
        _DIRECTORY_READ
        | {
            "reports.export_statistics",
            "reports.view_region_statistics",
            "reports.view_selfassessment",
            "reports.view_statistics",
        }
    ),
}
