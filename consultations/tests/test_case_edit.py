"""Editing a case (and the shared refusal of stale edits, for cases and clients)."""

from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.models import Case, CaseEvent, Client
from network.models import Topic
from tests.helpers import SecondFactorClient

pytestmark = pytest.mark.django_db


def url(case):
    return reverse("consultations:case-edit", args=[case.number])


class _PostForm(HTMLParser):
    """What a browser would submit from the page's one POST form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self.in_form = False
        self.select = None
        self.select_first = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select":
            self.select, self.select_first = name, None
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.data[self.select] = value
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            self.data.setdefault(self.select, self.select_first or "")
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop the newline right after <textarea>.
            self.data[self.textarea] = self.data[self.textarea].removeprefix("\n")
            self.textarea = None


def form_data(response):
    """The POST data of the page's form, as loaded (hidden initial values included)."""
    parser = _PostForm()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def change_audits(obj):
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )


@pytest.fixture
def second_client():
    """A second browser, for a colleague editing at the same time."""
    return SecondFactorClient()


# Saving ------------------------------------------------------------------------------------


def test_counter_staff_save_the_title_main_topic_and_restriction(client, counter_staff, case):
    client.force_login(counter_staff)
    page = client.get(url(case))
    assert page.status_code == 200
    assert "assigned_to" not in page.context["form"].fields
    data = form_data(page)
    assert data["version"] == "1"
    topic = Topic.objects.get(code="W2-02")
    data.update(title="残業代と深夜手当", main_topic=str(topic.pk), restricted="on")

    response = client.post(url(case), data)

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert (case.title, case.main_topic, case.restricted, case.version) == (
        "残業代と深夜手当",
        topic,
        True,
        2,
    )
    assert "深夜手当" in case.search_text
    [event] = case.events.all()
    assert (event.kind, event.by) == (CaseEvent.Kind.RESTRICTED, counter_staff)
    [audit] = change_audits(case)
    assert sorted(audit.detail["fields"]) == ["main_topic", "restricted", "title"]
    assert "深夜手当" not in str(audit.detail)


def test_saving_unchanged_writes_no_event(client, counter_staff, case):
    client.force_login(counter_staff)
    response = client.post(url(case), form_data(client.get(url(case))))
    assert response.status_code == 302
    assert not case.events.exists()
    assert Case.objects.get(pk=case.pk).title == "残業代の未払い"


def test_lifting_the_restriction_writes_an_event(client, coordinator, restricted_case):
    client.force_login(coordinator)
    data = form_data(client.get(url(restricted_case)))
    assert data["restricted"] == "on"
    del data["restricted"]

    client.post(url(restricted_case), data)

    restricted_case.refresh_from_db()
    assert not restricted_case.restricted
    assert restricted_case.events.get().kind == CaseEvent.Kind.UNRESTRICTED


def test_restricting_a_case_of_someone_else_goes_back_to_the_list(
    client, counter_staff, coordinator, case
):
    Case.objects.filter(pk=case.pk).update(assigned_to=coordinator)
    client.force_login(counter_staff)
    data = form_data(client.get(url(case)))
    data["restricted"] = "on"

    response = client.post(url(case), data)

    assert response["Location"] == reverse("consultations:case-list")
    assert Case.objects.get(pk=case.pk).restricted
    assert client.get(case.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "あ" * 101}, "title"),
        ({"main_topic": "999999"}, "main_topic"),
        ({"version": "x"}, "version"),
    ],
)
def test_bad_input_answers_with_the_form(client, counter_staff, case, change, field):
    client.force_login(counter_staff)
    data = {**form_data(client.get(url(case))), **change}
    response = client.post(url(case), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Case.objects.get(pk=case.pk).title == "残業代の未払い"


def test_an_inactive_topic_cannot_be_chosen(client, counter_staff, case):
    topic = Topic.objects.get(code="W2-02")
    Topic.objects.filter(pk=topic.pk).update(is_active=False)
    client.force_login(counter_staff)
    data = {**form_data(client.get(url(case))), "main_topic": str(topic.pk)}
    response = client.post(url(case), data)
    assert response.context["form"].has_error("main_topic", "invalid_choice")


# Assigning -------------------------------------------------------------------------------


def test_coordinators_assign_and_the_timeline_says_so(client, counter_staff, coordinator, case):
    colleague = UserFactory(center=case.center, name="担当 次郎", roles=[Role.COUNTER])
    client.force_login(coordinator)
    page = client.get(url(case))
    assert "assigned_to" in page.context["form"].fields
    data = {**form_data(page), "assigned_to": str(colleague.pk)}

    client.post(url(case), data)

    case.refresh_from_db()
    assert case.assigned_to == colleague
    [event] = case.events.all()
    assert (event.kind, event.old_value, event.new_value) == (
        "assigned",
        str(counter_staff),
        "担当 次郎",
    )
    assert change_audits(case).get().detail == {
        "fields": ["assigned_to"],
        "subjects": {"cases": [case.number], "clients": [case.client_id]},
    }


def test_coordinators_cannot_assign_to_staff_of_another_centre_or_who_left(
    client, coordinator, coordinator_elsewhere, case
):
    left = UserFactory(center=case.center, is_active=False)
    client.force_login(coordinator)
    for user in [coordinator_elsewhere, left]:
        data = {**form_data(client.get(url(case))), "assigned_to": str(user.pk)}
        response = client.post(url(case), data)
        assert response.context["form"].has_error("assigned_to", "invalid_choice")
    assert Case.objects.get(pk=case.pk).assigned_to == case.assigned_to


def test_a_forged_assignee_from_counter_staff_is_ignored(client, counter_staff, coordinator, case):
    client.force_login(counter_staff)
    data = form_data(client.get(url(case)))
    data.update(assigned_to=str(coordinator.pk), title="新しい件名")

    response = client.post(url(case), data)

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.assigned_to) == ("新しい件名", counter_staff)
    assert not case.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()


# Denials ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, case):
    for response in [client.get(url(case)), client.post(url(case), {"title": "x"})]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_get_403(client, request, role_holder, case):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(url(case)).status_code == 403
    assert client.post(url(case), {"title": "x", "version": "1"}).status_code == 403


def test_another_centres_case_is_404(client, coordinator, case_elsewhere):
    client.force_login(coordinator)
    assert client.get(url(case_elsewhere)).status_code == 404
    assert client.post(url(case_elsewhere), {"title": "x", "version": "1"}).status_code == 404


def test_a_hidden_restricted_case_is_404(client, counter_staff, restricted_case):
    client.force_login(counter_staff)
    assert client.get(url(restricted_case)).status_code == 404
    assert client.post(url(restricted_case), {"title": "x", "version": "1"}).status_code == 404
    assert Case.objects.get(pk=restricted_case.pk).title == "配偶者からの暴力（DV）"


# Stale edits -----------------------------------------------------------------------------


def test_row_50_a_stale_case_edit_is_refused_and_nothing_is_lost(
    client, second_client, counter_staff, coordinator, case
):
    client.force_login(coordinator)
    second_client.force_login(counter_staff)
    first = form_data(client.get(url(case)))
    second = form_data(second_client.get(url(case)))
    topic = Topic.objects.get(code="W2-02")

    first["title"] = "未払い（深夜）"
    assert client.post(url(case), first).status_code == 302
    second.update(title="未払い（休日）", main_topic=str(topic.pk))
    response = second_client.post(url(case), second)

    # Refused: the form comes back with what the other person changed, as now saved.
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert [value for _label, value in form.stale_changes] == ["未払い（深夜）"]
    assert "未払い（深夜）" in response.text
    # Nothing lost: the second person's entries are still in the form...
    assert form["title"].value() == "未払い（休日）"
    assert str(form["main_topic"].value()) == str(topic.pk)
    again = form_data(response)
    assert (again["title"], again["main_topic"], again["version"]) == (
        "未払い（休日）",
        str(topic.pk),
        "2",
    )
    # ...and the first person's are still saved.
    case.refresh_from_db()
    assert (case.title, case.main_topic, case.version) == ("未払い（深夜）", None, 2)
    assert change_audits(case).count() == 1

    # Saving the form as it came back takes over the new version.
    assert second_client.post(url(case), again).status_code == 302
    case.refresh_from_db()
    assert (case.title, case.main_topic, case.version) == ("未払い（休日）", topic, 3)


def test_a_status_change_makes_an_open_edit_form_stale(client, counter_staff, case):
    client.force_login(counter_staff)
    data = {**form_data(client.get(url(case))), "title": "新しい件名"}
    case.change_status(Case.Status.IN_PROGRESS, by=counter_staff)

    response = client.post(url(case), data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Case.objects.get(pk=case.pk).title == "残業代の未払い"


def test_saving_again_after_a_stale_edit_keeps_what_the_other_person_changed(
    client, second_client, counter_staff, coordinator, case
):
    client.force_login(coordinator)
    second_client.force_login(counter_staff)
    first = form_data(client.get(url(case)))
    second = form_data(second_client.get(url(case)))
    topic = Topic.objects.get(code="W2-02")

    first["main_topic"] = str(topic.pk)
    client.post(url(case), first)
    second["title"] = "未払い（休日）"
    response = second_client.post(url(case), second)
    second_client.post(url(case), form_data(response))

    case.refresh_from_db()
    assert case.title == "未払い（休日）"
    assert case.main_topic == topic


def client_url(client_record):
    return reverse("consultations:client-edit", args=[client_record.pk])


def test_row_50_a_stale_client_edit_is_refused_and_nothing_is_lost(
    client, second_client, counter_staff, coordinator, client_record
):
    client.force_login(coordinator)
    second_client.force_login(counter_staff)
    first = form_data(client.get(client_url(client_record)))
    second = form_data(second_client.get(client_url(client_record)))
    assert first["version"] == second["version"] == "1"

    first["phone_mobile"] = "080-1111-2222"
    assert client.post(client_url(client_record), first).status_code == 302
    second.update(contact_hours="平日18時以降", no_calls_home="on")
    response = second_client.post(client_url(client_record), second)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert [value for _label, value in form.stale_changes] == ["080-1111-2222"]
    assert (form["contact_hours"].value(), form["no_calls_home"].value()) == ("平日18時以降", True)
    saved = Client.objects.get(pk=client_record.pk)
    assert (saved.phone_mobile, saved.contact_hours, saved.no_calls_home, saved.version) == (
        "08011112222",
        "",
        False,
        2,
    )
    assert change_audits(saved).count() == 1

    again = form_data(response)
    assert again["version"] == "2"
    assert second_client.post(client_url(client_record), again).status_code == 302
    saved.refresh_from_db()
    assert (saved.contact_hours, saved.no_calls_home, saved.version) == ("平日18時以降", True, 3)
