"""The permission matrix (accounts/access.py) against the running app.

Every URL pattern, for every role, for a record of the user's own centre, one of another
centre and a restricted (要配慮) case assigned to a colleague, by GET and by POST: the
status the matrix expects, a denial audit entry for every refusal, no table changed by
any refused attempt, and no restricted or other centre's content in any page shown.
"""

from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.access import (
    CASE,
    CENTRE,
    EXEMPT_NAMESPACES,
    KEY,
    PUBLIC,
    RESTRICTED,
    ROLE_GRANTS,
    ROUTES,
    WHOLE_RECORD,
)
from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.models import VIEW_RESTRICTED
from consultations.tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentFactory,
    ConsultationFactory,
    HandoverNoteFactory,
)
from members.tests.factories import FeeFactory, MemberFactory
from network.tests.factories import OrganisationFactory, ServiceFactory
from referrals.tests.factories import ReferralFactory
from reports.statistics import DASHBOARD

ROLES = {
    "counter": Role.COUNTER,
    "coordinator": Role.COORDINATOR,
    "manager": Role.MANAGER,
    "viewer": Role.VIEWER,
}
ALLOWED = {200, 302}
# A POST of an empty form to a page that may take one: the form again (200), a
# redirect with a message (302), a refused form (400), or a read-only page (405).
ALLOWED_POST = {200, 302, 400, 405}
# Text only the restricted case and the other centre's records carry.
RESTRICTED_MARK = "配偶者からの暴力についての記録"
RESTRICTED_NAME = "鵺野"
ELSEWHERE_MARK = "小松の相談の記録"
ELSEWHERE_NAME = "鵼川"

# How the URL of a record is built from it; a record not listed is found by its pk.
RECORD_KWARGS = {
    "consultations.Case": lambda case: {"number": case.number},
    "members.Member": lambda member: {"number": member.number},
    "members.Fee": lambda fee: {"number": fee.member.number, "year": fee.fiscal_year},
}
# Arguments of routes that name no record.
EXAMPLE_KWARGS = {
    "reports:export": {"slug": next(iter(DASHBOARD)), "fmt": "csv"},
    # A reset link that was never sent: the page says the link is not valid.
    "password_reset_confirm": {"uidb64": "MQ", "token": "not-a-token"},
}
# Pages reached with a key of their own (tested with real keys in the app's tests).
WALKED_SCOPES_EXCEPT = {KEY}
# Tables a refused attempt may write to: the audit trail records the refusal.
WRITTEN_BY_REFUSALS = {"accounts.AuditEvent"}


def url_patterns(patterns=None, namespace=""):
    """(view name, URLPattern) of every named pattern outside the exempt namespaces."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXEMPT_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


PATTERNS = dict(url_patterns())


def test_row_21_every_route_has_a_matrix_entry():
    unnamed = [str(pattern.pattern) for name, pattern in PATTERNS.items() if name.endswith("None")]
    assert unnamed == [], "every URL pattern needs a name to have a matrix entry"
    missing = sorted(set(PATTERNS) - set(ROUTES))
    assert missing == [], f"routes without a matrix entry in accounts/access.py: {missing}"


def test_row_21_every_matrix_entry_names_a_route():
    stale = sorted(set(ROUTES) - set(PATTERNS))
    assert stale == [], f"matrix entries for routes that do not exist: {stale}"


@pytest.mark.django_db
def test_row_21_every_permission_and_record_in_the_matrix_exists():
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    named = {
        permission
        for rule in ROUTES.values()
        for method in ("GET", "POST")
        for permission in rule.permissions(method)
    }
    assert sorted(named - existing) == []
    for name, rule in ROUTES.items():
        if rule.record:
            apps.get_model(rule.record)
        arguments = set(PATTERNS[name].pattern.regex.groupindex) if name in PATTERNS else set()
        if arguments and rule.scope not in WALKED_SCOPES_EXCEPT:
            assert rule.record or name in EXAMPLE_KWARGS, (
                f"{name}: which record do {arguments} name?"
            )


def test_row_21_restricted_content_only_on_case_scoped_pages():
    for name, rule in ROUTES.items():
        if RESTRICTED in rule.fields:
            assert rule.scope in (CASE, KEY, WHOLE_RECORD), name


# The world the walk runs in, built once per role.


def build_world(center, other_center):
    colleague = UserFactory(center=center, roles=[Role.COORDINATOR])
    elsewhere = UserFactory(center=other_center, roles=[Role.COORDINATOR])
    organisation = OrganisationFactory()
    service = ServiceFactory(organisation=organisation, topics=["W1-01"], areas=["17201"])

    def casework(centre, by, *, restricted=False, name="", summary=""):
        client = ClientFactory(
            center=centre, created_by=by, **({"family_name": name} if name else {})
        )
        case = CaseFactory(center=centre, client=client, created_by=by, restricted=restricted)
        ConsultationFactory(case=case, **({"summary": summary} if summary else {}))
        consent = ConsentFactory(client=client, organisation=organisation)
        referral = ReferralFactory(
            case=case, service=service, need=summary or "家賃の相談", consent=consent
        )
        return {
            "consultations.Case": case,
            "consultations.Client": client,
            "consultations.Consent": consent,
            "referrals.Referral": referral,
        }

    def register(centre, by):
        member = MemberFactory(center=centre)
        return {
            "members.Member": member,
            "members.Fee": FeeFactory(member=member),
            "consultations.HandoverNote": HandoverNoteFactory(center=centre, author=by),
        }

    shared = {"network.Organisation": organisation, "network.Service": service}
    own = {**casework(center, colleague), **register(center, colleague), **shared}
    restricted = casework(
        center, colleague, restricted=True, name=RESTRICTED_NAME, summary=RESTRICTED_MARK
    )
    # Case numbers count per centre: the other centre's case must not share the own one's
    # number, or its URL would name the own case.
    CaseFactory.create_batch(2, center=other_center, created_by=elsewhere)
    other = {
        **casework(other_center, elsewhere, name=ELSEWHERE_NAME, summary=ELSEWHERE_MARK),
        **register(other_center, elsewhere),
    }
    return {"own": own, "other centre": other, "restricted": restricted}


def route_url(name, rule, record):
    kwargs = dict(EXAMPLE_KWARGS.get(name, {}))
    if rule.record:
        kwargs.update(RECORD_KWARGS.get(rule.record, lambda obj: {"pk": obj.pk})(record))
    return reverse(name, kwargs=kwargs)


def cells(world):
    """(route, variant, method, url) for every request the walk makes."""
    for name, rule in sorted(ROUTES.items()):
        if rule.scope in WALKED_SCOPES_EXCEPT:
            continue
        variants = ["own"]
        if rule.record and rule.scope in (CENTRE, CASE, WHOLE_RECORD):
            variants += [v for v in ("other centre", "restricted") if rule.record in world[v]]
        for variant in variants:
            url = route_url(name, rule, world[variant].get(rule.record))
            for method in ("GET", "POST"):
                yield name, rule, variant, method, url


def expected_status(rule, grants, variant, method):
    """What the matrix says the role gets: 403, 404 (out of scope), 405 or allowed."""
    if rule.scope == PUBLIC:
        if method == "GET" and rule.post_only:
            return {405}
        return ALLOWED_POST if method == "POST" else ALLOWED
    if not set(rule.permissions(method)) <= grants:
        return {403}
    if method == "GET" and rule.post_only:
        return {405}
    if variant == "other centre":
        return {404}
    if variant == "restricted" and VIEW_RESTRICTED not in grants and rule.scope != WHOLE_RECORD:
        return {404}
    return ALLOWED_POST if method == "POST" else ALLOWED


def snapshot():
    """Every row of every table of the project's apps (and auth), but the audit trail."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if (
            model._meta.app_label
            in {
                *("auth", "accounts", "network", "members", "consultations", "referrals"),
                *("privacy", "reports"),
            }
            and label not in WRITTEN_BY_REFUSALS
        ):
            state[label] = list(model._base_manager.order_by("pk").values_list())
    return state


def denials_of(user):
    return AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, user=user).count()


def send(client, user, method, url):
    response = client.get(url) if method == "GET" else client.post(url, {})
    if "_auth_user_id" not in client.session:  # the logout route logged the user out
        client.force_login(user)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_row_16_every_route_for_every_role_own_and_other_centre(client, center, other_center, role):
    user = UserFactory(center=center, roles=[ROLES[role]])
    grants = ROLE_GRANTS[ROLES[role]]
    world = build_world(center, other_center)
    client.force_login(user)
    plan = [(*cell, expected_status(cell[1], grants, cell[2], cell[3])) for cell in cells(world)]
    refusals = [cell for cell in plan if not cell[-1] & ALLOWED]
    failures, tally = [], Counter()

    before = snapshot()
    for name, _rule, variant, method, url, expected in refusals:
        denied_before = denials_of(user)
        status = send(client, user, method, url).status_code
        tally[(status, variant)] += 1
        if status not in expected:
            failures.append(f"{method} {name} ({variant}): {status}, expected {expected}")
        elif status in (403, 404) and denials_of(user) == denied_before:
            failures.append(f"{method} {name} ({variant}): {status} without a denial audit entry")
    after = snapshot()
    changed = sorted(label for label in before if before[label] != after[label])
    assert changed == [], f"refused attempts changed {changed}"

    may_see_restricted = VIEW_RESTRICTED in grants
    for name, rule, variant, method, url, expected in plan:
        if not expected & ALLOWED:
            continue
        response = send(client, user, method, url)
        tally[(response.status_code, variant)] += 1
        if response.status_code not in expected:
            failures.append(f"{method} {name} ({variant}): {response.status_code}, allowed")
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content
        body = content.decode(errors="replace")
        hidden = [ELSEWHERE_MARK, ELSEWHERE_NAME]
        if not may_see_restricted and rule.scope != WHOLE_RECORD:
            hidden += [RESTRICTED_MARK, RESTRICTED_NAME]
        if shown := [text for text in hidden if text in body]:
            failures.append(f"{method} {name} ({variant}) shows {shown}")

    print(f"\n{role}: {len(plan)} cells, by (status, record): {dict(sorted(tally.items()))}")
    assert len(plan) > 100
    assert failures == [], "\n".join(failures)
