"""security.md row 25: malformed requests never produce a server error.

Every route, signed in as staff who hold every role (so the request reaches the view,
not only the permission check), receives bodies no form would send: bytes that are
not UTF-8, random bytes, a body over the upload limit, more fields than allowed,
every key twice. The answer is a page or a refusal, never a 500.
"""

import random

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import CaseFactory, ConsentFactory, HandoverNoteFactory
from members.tests.factories import MemberFactory
from network.tests.factories import ServiceFactory
from referrals.tests.factories import ReferralFactory

ALLOWED = {200, 302, 400, 403, 404, 405, 413}
# The back office has its own forms and its own tests; the partner's answer page takes
# a key that no random request holds (404 before any body is read).
SKIPPED_NAMESPACES = {"admin"}

BODIES = {
    "invalid utf-8": (b"q=%ff%fe%fd&name=\xff\xfe\x00&note=\xc3\x28", "x-www-form-urlencoded"),
    # A fixed seed, so a failure can be replayed.
    "random bytes": (random.Random(25).randbytes(4096), "x-www-form-urlencoded"),  # noqa: S311
    "multipart without boundary": (b"--x\r\n\x00\xff", "form-data"),
    "too many fields": ("&".join(f"f{i}=v" for i in range(1001)), "x-www-form-urlencoded"),
    "every key twice": (
        "status=open&status=closed&number=1&number=2&csrfmiddlewaretoken=a"
        "&csrfmiddlewaretoken=b&idem_key=x&idem_key=y&q=a&q=b&page=1&page=-1",
        "x-www-form-urlencoded",
    ),
    "ten megabytes": (b"note=" + b"a" * (10 * 1024 * 1024), "x-www-form-urlencoded"),
}


def routes(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", tuple(pattern.pattern.regex.groupindex)


ROUTES = sorted(set(routes()))


@pytest.fixture
def objects(center):
    """One record of each kind the routes take, in the signed-in user's centre."""
    referral = ReferralFactory(case=CaseFactory(center=center))
    case = referral.case
    member = MemberFactory(center=center)
    return {
        "case": case.number,
        "client": case.client_id,
        "consent": ConsentFactory(client=case.client, organisation=referral.organisation).pk,
        "note": HandoverNoteFactory(center=center).pk,
        "referral": referral.pk,
        "member": member.number,
        "organisation": referral.organisation_id,
        "service": ServiceFactory().pk,
    }


def url_for(name, params, objects):
    """The route's URL with real records where the route names one, else a stand-in."""
    kind = {
        "number": "member" if name.startswith("members:") else "case",
        "pk": next(
            (
                kind
                for kind in ("client", "consent", "note", "referral", "organisation", "service")
                if kind in name
            ),
            "referral" if name.startswith("referrals:") else "client",
        ),
    }
    values = {
        "year": 2026,
        "token": "not-a-key",
        "slug": "channel",
        "fmt": "csv",
    }
    args = [objects[kind[param]] if param in kind else values.get(param, "1") for param in params]
    return reverse(name, args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("body_name", sorted(BODIES))
def test_row_25_malformed_posts_never_answer_500(client, center, objects, body_name):
    staff = UserFactory(center=center, roles=list(Role), is_staff=True)
    client.force_login(staff)
    body, kind = BODIES[body_name]
    statuses = []
    for name, params in ROUTES:
        url = url_for(name, params, objects)
        major = "application" if kind == "x-www-form-urlencoded" else "multipart"
        response = client.generic("POST", url, body, content_type=f"{major}/{kind}")
        statuses.append(response.status_code)
        assert response.status_code in ALLOWED, f"{body_name} POST {url}: {response.status_code}"
        answer = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Traceback" not in answer
        if name == "logout":
            client.force_login(staff)
    # The bodies reached the views: most routes answered with their page or a redirect
    # (a bad form, or a refusal after reading it), not only with refusals at the door.
    assert len(statuses) == len(ROUTES) > 50
    assert sum(status in {200, 302} for status in statuses) > len(ROUTES) / 3, statuses
