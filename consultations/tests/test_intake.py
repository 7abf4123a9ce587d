import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import FIELD
from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.forms import IntakeForm
from consultations.models import Case, Client, Consultation
from consultations.tests.factories import CaseFactory, ClientFactory, ConsultationFactory
from network.models import Category, Municipality, Topic

pytestmark = pytest.mark.django_db

URL = reverse("consultations:intake")


def intake_data(user, **overrides):
    """A valid intake POST for a new client's phone call."""
    data = {
        "channel": "phone",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "20",
        "taken_by": str(user.pk),
        "consulter_type": "self",
        "main_topic": "W2-01",
        "other_topics": ["W3-01"],
        "summary": "3か月分の残業代が払われていない。",
        "action_taken": "労働基準監督署への申告について説明。",
        "outcome": "advice",
        "counts_for_rengo": "on",
        "client-family_name_kana": "すずき",
        "client-given_name_kana": "ｲﾁﾛｳ",
        "client-family_name": "鈴木",
        "client-given_name": "一郎",
        "client-phone_mobile": "０９０－２２２２－３３３３",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_a_phone_call_for_a_new_client_opens_a_case(client, counter_staff):
    client.force_login(counter_staff)

    response = client.post(URL, intake_data(counter_staff))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    new_client = Client.objects.get()
    assert (new_client.family_name_kana, new_client.given_name_kana) == ("スズキ", "イチロウ")
    assert new_client.phone_mobile == "09022223333"
    consultation = Consultation.objects.get()
    assert consultation.taken_by == counter_staff
    assert list(consultation.topics.values_list("code", flat=True)) == ["W2-01", "W3-01"]
    assert case.restricted is False


def test_save_and_next_comes_back_to_an_empty_intake(client, counter_staff):
    client.force_login(counter_staff)
    response = client.post(URL, intake_data(counter_staff, save="", save_next="1"))
    assert response.status_code == 302
    assert response.url == URL


def test_a_walk_in_for_a_returning_client_joins_their_open_case(
    client, counter_staff, case, client_record
):
    client.force_login(counter_staff)
    data = intake_data(
        counter_staff, channel="visit", client=str(client_record.pk), case=str(case.pk)
    )

    response = client.post(URL, data)

    assert response.status_code == 302
    assert case.consultations.count() == 2
    assert Client.objects.count() == 1


def test_an_anonymous_call_keeps_only_the_statistics(client, counter_staff):
    client.force_login(counter_staff)
    data = intake_data(counter_staff, anonymous="on", gender="male", age="52")
    for key in [k for k in data if k.startswith("client-")]:
        data[key] = ""

    client.post(URL, data)

    consultation = Consultation.objects.get()
    assert consultation.client is None
    assert (consultation.gender, consultation.age) == ("male", 52)
    assert not Client.objects.exists()


def test_a_restricted_case_opened_at_intake_stays_with_whoever_took_it(client, counter_staff):
    client.force_login(counter_staff)
    client.post(URL, intake_data(counter_staff, restricted="on"))
    case = Case.objects.get()
    assert case.restricted
    assert case.assigned_to == counter_staff


@pytest.mark.parametrize(
    "typed",
    [
        {"client-family_name_kana": "やまだ"},
        {"client-family_name_kana": "ﾔﾏﾀﾞ"},
        {"client-family_name_kana": "ヤマ", "client-given_name_kana": ""},
        {"client-phone_mobile": "０９０－１２３４"},
    ],
)
def test_the_look_up_finds_a_returning_client_however_it_is_typed(
    client, counter_staff, client_record, typed
):
    client.force_login(counter_staff)
    response = client.post(URL, {"lookup": "1", **typed}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="client-matches"' in content
    assert "山田" in content
    assert "<form" not in content  # only the swapped region comes back


def test_the_look_up_works_without_javascript(client, counter_staff, client_record):
    client.force_login(counter_staff)
    data = intake_data(counter_staff, lookup="1", save="")
    data["client-family_name_kana"] = "やまだ"
    data["client-given_name_kana"] = ""
    response = client.post(URL, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<form" in content
    assert f'name="choose_client" value="{client_record.pk}"' in content
    assert not Case.objects.exists()


def test_choosing_a_client_shows_their_open_cases_and_keeps_what_was_typed(
    client, counter_staff, case, client_record
):
    closed = CaseFactory(center=case.center, client=client_record, title="以前の相談")
    closed.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    client.force_login(counter_staff)

    response = client.post(
        URL, intake_data(counter_staff, choose_client=str(client_record.pk), save="")
    )

    content = response.content.decode()
    assert case.number in content
    assert closed.number not in content
    assert "3か月分の残業代" in content
    assert f'name="client" value="{client_record.pk}"' in content
    assert "errorlist" not in content
    assert "invalid-feedback" not in content


def test_the_look_up_never_shows_another_centres_clients(
    client, counter_staff, other_center, coordinator_elsewhere
):
    ClientFactory(
        center=other_center,
        created_by=coordinator_elsewhere,
        family_name="山田",
        family_name_kana="ヤマダ",
    )
    client.force_login(counter_staff)
    response = client.post(
        URL, {"lookup": "1", "client-family_name_kana": "やまだ"}, headers={"HX-Request": "true"}
    )
    assert "山田" not in response.content.decode()


def test_a_client_known_only_through_a_hidden_restricted_case_is_not_offered(
    client, counter_staff, restricted_case
):
    restricted_case.client.family_name = "秘密"
    restricted_case.client.save()
    client.force_login(counter_staff)
    response = client.post(
        URL,
        {"lookup": "1", "client-family_name_kana": restricted_case.client.family_name_kana},
        headers={"HX-Request": "true"},
    )
    assert "秘密" not in response.content.decode()
    # Nor can it be attached by posting its id.
    data = intake_data(counter_staff, client=str(restricted_case.client.pk))
    client.post(URL, data)
    assert not restricted_case.client.consultations.exclude(case=restricted_case).exists()


def test_a_case_of_another_client_cannot_be_posted(client, counter_staff, case, center):
    other = ClientFactory(center=center, created_by=counter_staff)
    client.force_login(counter_staff)
    response = client.post(URL, intake_data(counter_staff, client=str(other.pk), case=case.pk))
    assert response.status_code == 200
    assert case.consultations.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("received_at", "2026-02-30T10:00"),
        ("received_at", "2999-01-01T10:00"),
        ("client-birth_date", "2999-01-01"),
        ("client-birth_date", "1990-13-01"),
        ("client-phone_mobile", "12345"),
        ("client-phone_mobile", "090-1234-567８9"),
        ("client-postcode", "92O-0853"),
        ("main_topic", "Z9-99"),
        ("other_topics", ["W1-01", "nowhere"]),
        ("summary", "あ" * 4001),
        ("client-family_name", "山" * 51),
        ("client-family_name_kana", "Yamada"),
        ("duration_minutes", "-5"),
        ("taken_by", "999999"),
        ("channel", "telepathy"),
        ("summary", ""),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, counter_staff, field, value):
    client.force_login(counter_staff)
    response = client.post(URL, intake_data(counter_staff, **{field: value}))
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode() or "alert-danger" in (
        response.content.decode()
    )
    assert not Consultation.objects.exists()
    assert not Client.objects.exists()


def test_staff_of_another_centre_are_not_offered_as_taker(
    client, counter_staff, coordinator_elsewhere
):
    client.force_login(counter_staff)
    response = client.post(URL, intake_data(counter_staff, taken_by=coordinator_elsewhere.pk))
    assert response.status_code == 200
    assert not Consultation.objects.exists()


def test_intake_is_audited(client, counter_staff):
    client.force_login(counter_staff)
    client.post(URL, intake_data(counter_staff))
    actions = AuditEvent.objects.filter(user=counter_staff, action=AuditEvent.Action.CREATE)
    assert actions.count() == 3


@pytest.mark.parametrize(("user", "status"), [("viewer", 403), ("manager", 403)])
def test_roles_without_casework_may_not_log_consultations(client, request, user, status):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == status
    assert client.post(URL, {"lookup": "1"}).status_code == status


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_intake_page_is_in_keyboard_order_with_the_channel_first(client, counter_staff):
    client.force_login(counter_staff)
    content = client.get(URL).content.decode()
    order = [content.index(f'name="{name}"') for name in ("channel", "client-family_name_kana")]
    order.append(content.index('name="main_topic"'))
    order.append(content.index('name="summary"'))
    order.append(content.index('name="save"'))
    assert order == sorted(order)


def test_intake_page_query_budget(client, counter_staff, django_assert_max_num_queries):
    client.force_login(counter_staff)
    client.get(URL)
    # Session, user, permissions (one query: accounts.backends), the session's new expiry (3
    # with its transaction). Topics, prefectures, municipalities and the staff for "taken
    # by" come from the cache.
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200


def test_look_up_query_budget(client, counter_staff, center, django_assert_max_num_queries):
    hakusan = Municipality.objects.get(code="17210")
    for given in ["ハナコ", "タロウ", "ジロウ", "サブロウ", "シロウ"]:
        ClientFactory(
            center=center,
            created_by=counter_staff,
            family_name_kana="ヤマダ",
            given_name_kana=given,
            municipality=hakusan,
        )
    client.force_login(counter_staff)
    typed = {"lookup": "1", "client-family_name_kana": "やまだ"}
    client.post(URL, typed, headers={"HX-Request": "true"})
    # Session, user, permissions (one query: accounts.backends), the matches' ids, the
    # matches with their municipality, membership and open cases, the members not yet
    # clients; the session's new expiry (3 with its transaction). Not one query per match.
    with django_assert_max_num_queries(9):
        response = client.post(URL, typed, headers={"HX-Request": "true"})
    assert response.content.decode().count(hakusan.name) == 5


def test_a_topic_added_or_retired_shows_on_the_intake_page_at_once(client, counter_staff):
    client.force_login(counter_staff)
    assert "W9-99" not in client.get(URL).content.decode()
    topic = Topic.objects.create(
        code="W9-99", category=Category.objects.first(), name="新しい相談内容"
    )
    assert 'value="W9-99">W9-99 新しい相談内容<' in client.get(URL).content.decode()
    topic.is_active = False
    topic.save()
    assert "W9-99" not in client.get(URL).content.decode()


def taker_options(client):
    html = client.get(URL).content.decode()
    select = html[
        html.index('name="taken_by"') : html.index("</select>", html.index('name="taken_by"'))
    ]
    return select


def test_the_staff_offered_as_taker_follow_every_change_at_once(
    client, counter_staff, center, other_center
):
    """The list is cached for the centre, and forgotten whenever a user is saved."""
    client.force_login(counter_staff)
    assert "新人 太郎" not in taker_options(client)
    colleague = UserFactory(center=center, name="新人 太郎", roles=[Role.COUNTER])
    assert f'<option value="{colleague.pk}">新人 太郎</option>' in taker_options(client)
    colleague.name = "新人 次郎"
    colleague.save()
    assert "新人 次郎" in taker_options(client)
    colleague.center = other_center
    colleague.save()
    assert "新人 次郎" not in taker_options(client)
    colleague.center = center
    colleague.is_active = False
    colleague.save()
    assert "新人 次郎" not in taker_options(client)
    colleague.is_active = True
    colleague.save()
    assert "新人 次郎" in taker_options(client)
    colleague.delete()
    assert "新人 次郎" not in taker_options(client)


def test_the_staff_offered_are_those_django_would_list(counter_staff, center):
    UserFactory.create_batch(3, center=center, roles=[Role.COUNTER])
    IntakeForm(user=counter_staff)["taken_by"].as_widget()  # the list, now cached
    ours, djangos = IntakeForm(user=counter_staff), IntakeForm(user=counter_staff)
    field = djangos.fields["taken_by"]
    del field._choices  # back to the ModelChoiceField's own, from its queryset
    field.widget.choices = field.choices
    assert str(ours["taken_by"]) == str(djangos["taken_by"])
    assert str(ours["taken_by"]).count("<option") == 5


@pytest.mark.parametrize("earlier", [1, 12])
def test_intake_save_query_budget(
    client, counter_staff, center, earlier, django_assert_max_num_queries
):
    known = ClientFactory(center=center, created_by=counter_staff)
    for _ in range(earlier):
        ConsultationFactory(case=CaseFactory(center=center, client=known))
    client.force_login(counter_staff)
    data = {**intake_data(counter_staff), FIELD: str(uuid.uuid4())}
    # 31 queries whatever the data size. Request: session, user, permissions (one query:
    # accounts.backends), the save receipt looked up. Forms: topics for the choices (then
    # cached) and the two chosen, staff for "taken by" (found there, not checked again). The
    # save: the new client (insert, audit content type, chain head and entry), the case
    # number (read for update, update), the new case (insert, audit), the consultation
    # (insert, topics, case update, audit), the receipt and the savepoints; the message and
    # the session save. The first test of a process also reads 3 content types.
    with django_assert_max_num_queries(31):
        response = client.post(URL, data)
    assert response.status_code == 302
