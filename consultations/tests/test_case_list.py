"""The case list: filters posted and kept in the session, never in the URL."""

import datetime
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.models import Case, Consultation
from consultations.services import consultation_record
from consultations.tests.factories import CaseFactory, ConsultationFactory
from consultations.views import FILTER_SESSION_KEY
from network.models import Topic

pytestmark = pytest.mark.django_db

URL = reverse("consultations:case-list")


def listed(response):
    """The pks of the cases on the page (numbers repeat across centres)."""
    return {case.pk for case in response.context["page"]}


def post_filter(client, **data):
    """Post the filter form as the page does, then follow the redirect like a browser."""
    response = client.post(URL, data)
    assert response.status_code == 302
    assert response["Location"] == URL
    return client.get(URL)


def reindex(case):
    """Rebuild the case's search key after factories added consultations (intake does
    this as it saves; the factories do not)."""
    case.refresh_search_text()
    Case.objects.filter(pk=case.pk).update(
        search_text=case.search_text, search_bigrams=case.search_bigrams
    )


def at(days_ago, hour=10):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_list_shows_the_centres_cases_most_recent_contact_first(
    client, counter_staff, case, case_elsewhere
):
    older = CaseFactory(center=case.center, last_contact_at=timezone.now() - datetime.timedelta(3))
    client.force_login(counter_staff)

    response = client.get(URL)

    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [case.pk, older.pk]
    assert case.number in response.text
    assert "山田 花子" in response.text
    assert case_elsewhere.title not in response.text
    assert response.context["filtered"] is False


# Denials ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_by_role_alone_get_403(client, request, role_holder, case):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"q": "山田"}).status_code == 403


def test_another_centres_cases_are_never_listed(client, coordinator_elsewhere, case):
    client.force_login(coordinator_elsewhere)
    response = client.get(URL)
    assert listed(response) == set()
    post_filter(client, q="ヤマダ")
    assert listed(client.get(URL)) == set()


def test_restricted_cases_are_listed_for_their_assignee_and_coordinators_only(
    client, center, counter_staff, coordinator, case, restricted_case
):
    mine = CaseFactory(center=center, restricted=True, assigned_to=counter_staff)
    unassigned = CaseFactory(center=center, restricted=True, assigned_to=None)

    client.force_login(counter_staff)
    assert listed(client.get(URL)) == {case.pk, mine.pk}

    client.force_login(coordinator)
    assert listed(client.get(URL)) == {
        case.pk,
        mine.pk,
        restricted_case.pk,
        unassigned.pk,
    }


# The filter is posted and kept in the session ----------------------------------------


def test_typed_words_stay_out_of_the_redirect_and_the_page_links(client, counter_staff, center):
    for _ in range(30):
        CaseFactory(center=center, client__family_name="鈴木", client__family_name_kana="スズキ")
    client.force_login(counter_staff)

    response = client.post(URL, {"q": "すずき"})

    assert response.status_code == 302
    assert response["Location"] == URL
    page = client.get(URL)
    assert page.context["page"].paginator.count == 30
    links = [unquote(href) for href in re.findall(r'href="([^"]*)"', page.text)]
    assert "?page=2" in links
    for typed in ["すずき", "スズキ", "q="]:
        assert not [href for href in links if typed in href], typed
    assert client.session[FILTER_SESSION_KEY]["q"] == "すずき"


def test_the_filter_is_kept_across_visits_and_pages(client, counter_staff, center):
    matching = [CaseFactory(center=center, title=f"雇止め {n}") for n in range(27)]
    CaseFactory.create_batch(3, center=center, title="パワハラ")
    client.force_login(counter_staff)

    first = post_filter(client, q="雇止め")
    second = client.get(URL, {"page": 2})

    assert len(first.context["page"]) == 25
    assert first.context["filtered"] is True
    assert first.context["form"]["q"].value() == "雇止め"
    assert len(second.context["page"]) == 2
    assert listed(first) | listed(second) == {case.pk for case in matching}


def test_clear_empties_the_session_filter(client, counter_staff, case):
    other = CaseFactory(center=case.center, title="パワハラ")
    client.force_login(counter_staff)
    assert listed(post_filter(client, q="パワハラ")) == {other.pk}

    response = client.post(URL, {"clear": "1", "q": "パワハラ"})

    assert response.status_code == 302
    assert response["Location"] == URL
    assert FILTER_SESSION_KEY not in client.session
    after = client.get(URL)
    assert listed(after) == {case.pk, other.pk}
    assert after.context["filtered"] is False


def test_pages_are_25_cases_long(client, counter_staff, center):
    CaseFactory.create_batch(27, center=center)
    client.force_login(counter_staff)
    assert len(client.get(URL).context["page"]) == 25
    assert len(client.get(URL, {"page": 2}).context["page"]) == 2
    # A page out of range or not a number gives a page, not an error.
    assert client.get(URL, {"page": 99}).context["page"].number == 2
    assert client.get(URL, {"page": "x"}).context["page"].number == 1


# Each filter ---------------------------------------------------------------------------


def test_status_filter_and_open(client, counter_staff, coordinator, center):
    received = CaseFactory(center=center)
    in_progress = CaseFactory(center=center)
    in_progress.change_status(Case.Status.IN_PROGRESS, by=coordinator)
    closed = CaseFactory(center=center)
    closed.close(reason=Case.ClosedReason.RESOLVED, by=coordinator)
    client.force_login(counter_staff)

    assert listed(post_filter(client, status="in_progress")) == {in_progress.pk}
    assert listed(post_filter(client, status="closed")) == {closed.pk}
    assert listed(post_filter(client, status="open")) == {received.pk, in_progress.pk}
    assert listed(post_filter(client, status="")) == {
        received.pk,
        in_progress.pk,
        closed.pk,
    }


def test_topic_filter_takes_a_topic_or_a_whole_field(client, counter_staff, center):
    unpaid = ConsultationFactory(case__center=center, topics=["W2-01"]).case
    dismissal = ConsultationFactory(case__center=center, topics=["W1-01"]).case
    # A topic that is not the main one counts too.
    mixed = ConsultationFactory(case__center=center, topics=["L3-01", "W1-02"]).case
    client.force_login(counter_staff)

    assert listed(post_filter(client, topic="W2-01")) == {unpaid.pk}
    assert listed(post_filter(client, topic="W1")) == {dismissal.pk, mixed.pk}
    assert listed(post_filter(client, topic="W1-02")) == {mixed.pk}


def test_assignee_filter(client, counter_staff, coordinator, center):
    mine = CaseFactory(center=center, assigned_to=counter_staff)
    CaseFactory(center=center, assigned_to=coordinator)
    CaseFactory(center=center, assigned_to=None)
    client.force_login(counter_staff)
    assert listed(post_filter(client, assigned_to=str(counter_staff.pk))) == {mine.pk}


def test_channel_and_contact_dates_filter_on_the_same_consultation(client, counter_staff, center):
    visit_last_week = ConsultationFactory(
        case__center=center, channel=Consultation.Channel.VISIT, received_at=at(7)
    ).case
    # A phone call last week and a visit today: no visit last week.
    both = ConsultationFactory(
        case__center=center, channel=Consultation.Channel.PHONE, received_at=at(7)
    ).case
    ConsultationFactory(case=both, channel=Consultation.Channel.VISIT, received_at=at(0))
    phone_today = ConsultationFactory(case__center=center, received_at=at(0, hour=0)).case
    client.force_login(counter_staff)
    last_week = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    today = timezone.localdate().isoformat()

    assert listed(post_filter(client, channel="visit")) == {visit_last_week.pk, both.pk}
    assert listed(
        post_filter(client, channel="visit", contact_from=last_week, contact_to=last_week)
    ) == {visit_last_week.pk}
    # Both ends are inclusive local dates (a call at 0:00 today counts as today).
    assert listed(post_filter(client, contact_from=today)) == {both.pk, phone_today.pk}
    assert listed(post_filter(client, contact_to=last_week)) == {
        visit_last_week.pk,
        both.pk,
    }


def test_a_period_finds_a_case_by_a_contact_entered_late_with_an_earlier_time(
    client, counter_staff, case
):
    # The period filter looks only at cases last contacted since its start: a call
    # entered afterwards with an earlier time leaves the later last contact as it was.
    Case.objects.filter(pk=case.pk).update(last_contact_at=at(0))
    late_entry = Consultation(
        channel=Consultation.Channel.VISIT,
        received_at=at(20),
        taken_by=counter_staff,
        summary="先月の来所の記録。",
        outcome=Consultation.Outcome.ADVICE,
    )
    consultation_record(
        consultation=late_entry,
        topics=[Topic.objects.get(code="W2-01")],
        by=counter_staff,
        client=case.client,
        case=case,
    )
    case.refresh_from_db()
    assert case.last_contact_at == at(0)
    twenty_days_ago = (timezone.localdate() - datetime.timedelta(days=20)).isoformat()
    client.force_login(counter_staff)

    response = post_filter(
        client, channel="visit", contact_from=twenty_days_ago, contact_to=twenty_days_ago
    )

    assert listed(response) == {case.pk}


@pytest.mark.parametrize(
    "typed", ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ　ハナコ", "山田", "残業代", "ﾊﾅｺ 未払い"]
)
def test_words_find_the_client_whatever_the_kana(client, counter_staff, case, typed):
    # Named outright: a random family name is now and then 山田 too.
    CaseFactory(
        center=case.center,
        client__family_name="山本",
        client__family_name_kana="ヤマモト",
        client__given_name="次郎",
        client__given_name_kana="ジロウ",
        title="パワハラ",
    )
    client.force_login(counter_staff)
    assert listed(post_filter(client, q=typed)) == {case.pk}


def test_words_said_in_a_consultation_find_the_case(client, counter_staff, center):
    said = ConsultationFactory(case__center=center, summary="店長から毎日どなられている").case
    ConsultationFactory(case__center=center, summary="給料が振り込まれない")
    reindex(said)
    client.force_login(counter_staff)
    assert listed(post_filter(client, q="どなられて 店長")) == {said.pk}


def test_every_filter_together(client, counter_staff, center):
    wanted = ConsultationFactory(
        case__center=center,
        case__assigned_to=counter_staff,
        case__title="未払い",
        channel=Consultation.Channel.EMAIL,
        received_at=at(2),
        topics=["W2-01"],
    ).case
    ConsultationFactory(
        case__center=center,
        case__assigned_to=counter_staff,
        case__title="未払い",
        channel=Consultation.Channel.PHONE,
        received_at=at(2),
        topics=["W2-01"],
    )
    client.force_login(counter_staff)
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = post_filter(
        client,
        q="未払い",
        status="open",
        topic="W2",
        assigned_to=str(counter_staff.pk),
        channel="email",
        contact_from=day,
        contact_to=day,
    )
    assert listed(response) == {wanted.pk}


# Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"contact_from": "2026-05-02", "contact_to": "2026-05-01"}, "contact_to", None),
        ({"contact_from": "2026-13-45"}, "contact_from", "invalid"),
        ({"status": "lost"}, "status", "invalid_choice"),
        ({"topic": "Z9-99"}, "topic", "invalid_choice"),
        ({"assigned_to": "999999"}, "assigned_to", "invalid_choice"),
        ({"channel": "fax"}, "channel", "invalid_choice"),
        ({"q": "あ" * 101}, "q", "max_length"),
    ],
)
def test_bad_filter_input_answers_with_the_form_not_an_error(
    client, counter_staff, case, data, field, code
):
    client.force_login(counter_staff)

    response = client.post(URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {field}
    if code:
        assert form.has_error(field, code)
    assert form.errors[field][0]
    # Nothing is remembered, and the unfiltered list is still shown.
    assert FILTER_SESSION_KEY not in client.session
    assert listed(response) == {case.pk}


def test_bad_input_keeps_the_filter_in_force(client, counter_staff, case):
    other = CaseFactory(center=case.center, title="パワハラ")
    client.force_login(counter_staff)
    post_filter(client, q="パワハラ")

    assert client.post(URL, {"status": "lost"}).status_code == 200

    assert listed(client.get(URL)) == {other.pk}


def test_an_assignee_of_another_centre_is_refused(client, counter_staff, coordinator_elsewhere):
    client.force_login(counter_staff)
    response = client.post(URL, {"assigned_to": str(coordinator_elsewhere.pk)})
    assert response.status_code == 200
    assert response.context["form"].has_error("assigned_to", "invalid_choice")


# Query budget --------------------------------------------------------------------------


def test_query_budget_does_not_grow_with_the_cases(
    client, center, counter_staff, django_assert_max_num_queries
):
    staff = UserFactory.create_batch(3, center=center, roles=[Role.COUNTER])
    unpaid = Topic.objects.get(code="W2-01")
    for n in range(30):
        ConsultationFactory(
            case__center=center,
            case__assigned_to=staff[n % 3],
            case__title=f"未払い {n}",
            case__main_topic=unpaid,
            topics=["W2-01", "W1-01"],
        )
    client.force_login(counter_staff)
    post_filter(client, q="未払い", status="open", topic="W2", channel="phone")
    # session, user with their centre, permissions (one query: accounts.backends), the
    # second factor's device (django-otp), topic choices, staff choices, the chosen
    # field's topic ids, count, the page of cases with their client, assignee and main
    # topic (one join), and the session save behind the idle timeout (savepoint, update,
    # release): 12, however many cases and topics.
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert len(response.context["page"]) == 25


def test_a_broad_list_counts_up_to_a_cap(client, coordinator, center, monkeypatch):
    monkeypatch.setattr("consultations.views.COUNT_CAP", 3)
    CaseFactory.create_batch(5, center=center)
    client.force_login(coordinator)
    response = client.get(reverse("consultations:case-list"))
    assert response.context["page"].paginator.is_capped
    assert "3" in response.content.decode()


def test_each_row_links_to_its_case_and_names_its_status(client, counter_staff, case):
    client.force_login(counter_staff)
    html = client.get(URL).text
    assert f'<a href="{reverse("consultations:case-detail", args=[case.number])}">' in html
    assert f'<span class="badge text-bg-light border">{case.get_status_display()}</span>' in html
