"""The permission matrix's roles and its enforcement (accounts.access, AccessMiddleware)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.http import HttpResponse
from django.urls import path, resolve, reverse

from accounts.access import ROLE_GRANTS, ROUTES
from accounts.middleware import AccessMiddleware
from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from lifesupport.urls import handler403  # noqa: F401 (the audited 403 page, as in production)
from lifesupport.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


def unlisted(request):
    return HttpResponse("a page nobody entered in the matrix")


# The project's URLs and two pages without a matrix entry, for the marked tests below.
urlpatterns = [
    path("unlisted/", unlisted, name="unlisted"),
    path("unnamed/", unlisted),
    *project_urlpatterns,
]


@pytest.mark.parametrize("role", list(Role))
def test_row_21_each_roles_group_holds_exactly_the_matrix_grants(role):
    held = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role.value).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert sorted(held - ROLE_GRANTS[role]) == [], "granted by a migration, not in the matrix"
    assert sorted(ROLE_GRANTS[role] - held) == [], "in the matrix, not granted"


def test_row_21_every_permission_a_page_needs_is_held_by_some_role():
    granted = set().union(*ROLE_GRANTS.values())
    for name, rule in ROUTES.items():
        for method in ("GET", "POST"):
            assert set(rule.permissions(method)) <= granted, f"{method} {name}: nobody may"


@pytest.mark.urls("accounts.tests.test_access")
@pytest.mark.parametrize("url", ["/unlisted/", "/unnamed/"])
def test_row_21_a_page_without_a_matrix_entry_is_refused_even_to_a_superuser(client, url):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)

    response = client.get(url)

    assert response.status_code == 403
    assert "nobody entered" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert (event.user, event.detail) == (superuser, {"path": url})


def test_a_missing_permission_is_refused_before_the_view_runs(client, viewer, center):
    client.force_login(viewer)
    response = client.get(reverse("consultations:case-list"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, user=viewer).exists()


def test_posting_may_need_a_further_permission(client, viewer, center):
    """The self-assessment page: viewers read it, only those who may change it post."""
    client.force_login(viewer)
    url = reverse("reports:checklist")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403


def test_the_back_office_keeps_its_own_permissions(client, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_check_costs_no_query_once_the_permissions_are_loaded(
    rf, coordinator, django_assert_num_queries
):
    """has_perm reads Django's per-request permission cache, which the views fill anyway."""
    request = rf.get(reverse("consultations:case-list"))
    request.user = coordinator
    request.resolver_match = resolve(request.path)
    coordinator.get_all_permissions()
    middleware = AccessMiddleware(lambda request: HttpResponse())
    with django_assert_num_queries(0):
        assert middleware.process_view(request, None, (), {}) is None


def test_every_permission_in_the_grants_exists():
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    assert sorted(set().union(*ROLE_GRANTS.values()) - existing) == []
