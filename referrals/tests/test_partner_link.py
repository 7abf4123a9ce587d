import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from consultations.models import CaseEvent
from referrals.models import Channel, FollowUp, PartnerLink, Referral, ReferralStep
from referrals.tests.factories import referral_in

Status = Referral.Status
# Whatever identifies 山田花子 (the client of the `case` fixture), as it might be written.
IDENTIFIERS = ["山田", "花子", "ヤマダ", "ハナコ", "09012345678", "090-1234-5678"]
STAFF_PREFIXES = ("/consultations/", "/referrals/", "/network/", "/members/", "/admin/")


@pytest.fixture(autouse=True)
def coordinator_named(coordinator):
    """A coordinator whose name cannot be mistaken for the client's (the factory's
    random Japanese names could be 山田 or 花子)."""
    coordinator.name = "佐藤 一郎"
    coordinator.save(update_fields=["name"])


def issue(referral):
    _link, token = PartnerLink.issue(referral, to="kitamura@example.jp", by=referral.coordinator)
    return token


def page(token):
    return reverse("referrals:partner-answer", args=[token])


@pytest.fixture
def asked(referral):
    """The consented referral, asked, with an answer link."""
    referral.sheet.approve(by=referral.coordinator)
    referral_in(Status.ASKED, referral)
    return referral


@pytest.fixture
def token(asked):
    return issue(asked)


def advance(referral, status):
    """Move an asked referral on to `status`, as staff would after a phone call."""
    by = referral.coordinator
    referral.accept(by=by, channel=Channel.PHONE)
    if status != Status.ACCEPTED:
        referral.mark_referred(by=by, place="本町1-1-1", with_whom="相談員")
    if status == Status.FOLLOWING_UP:
        add_follow_ups(referral, 1)
    if status == Status.COMPLETED:
        referral.complete(outcome=Referral.Outcome.RESOLVED, by=by)


def audits(action, **detail):
    lookups = {f"detail__{key}": value for key, value in detail.items()}
    return AuditEvent.objects.filter(action=action, **lookups)


def hrefs(response):
    return re.findall(r'href="([^"]*)"', response.content.decode())


def test_the_partner_sees_the_sheet_and_the_shared_name(client, asked, token):
    response = client.get(page(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "山田 花子" in html
    assert "ヤマダ ハナコ" in html
    assert asked.sheet.need in html
    assert "金沢ライフサポートセンター" in html
    assert asked.center.phone in html
    assert "佐藤 一郎" in html
    assert "金沢労働基準監督署" in html
    assert "総合労働相談コーナー" in html
    assert 'name="step" value="answer"' in html
    assert 'name="answer"' in html
    # The centre's own record stays with the centre.
    assert asked.case.number not in html
    link = asked.links.get()
    assert link.last_used_at is not None
    event = audits(AuditEvent.Action.VIEW, via="partner_link").get()
    assert event.user is None
    assert event.center_id == asked.center_id
    assert event.object_id == str(asked.pk)
    assert event.detail["link"] == link.pk


@pytest.fixture
def sheet_naming_the_client(referral):
    sheet = referral.sheet
    sheet.history = "山田花子さん 090-1234-5678"
    sheet.client_wishes = "ヤマダさんは 09012345678 に連絡を希望"
    sheet.save()
    return sheet


def assert_nothing_identifying(text):
    for identifier in IDENTIFIERS:
        assert identifier not in text


def test_an_anonymous_enquiry_shows_nothing_identifying(client, coordinator, anonymous_referral):
    sheet = anonymous_referral.sheet
    sheet.history = "山田花子さん 090-1234-5678"
    sheet.client_wishes = "ヤマダさんは 09012345678 に連絡を希望"
    sheet.save()
    referral_in(Status.ASKED, anonymous_referral)
    response = client.get(page(issue(anonymous_referral)))
    assert response.status_code == 200
    html = response.content.decode()
    assert_nothing_identifying(html)
    assert "〇〇" in html
    sheet.refresh_from_db()
    assert sheet.history == "山田花子さん 090-1234-5678"  # redacted on the page only


def test_a_name_the_redaction_cannot_catch_withholds_the_sheet(client, anonymous_referral):
    sheet = anonymous_referral.sheet
    # A space inside the family name: the blanking misses it, the check does not.
    sheet.history = "山　田さんから"
    sheet.save()
    referral_in(Status.ASKED, anonymous_referral)
    html = client.get(page(issue(anonymous_referral))).content.decode()
    assert "山　田" not in html
    assert anonymous_referral.sheet.need not in html
    assert 'name="answer"' in html


def test_a_withdrawn_consent_shows_nothing_identifying(
    client, coordinator, referral, consent, sheet_naming_the_client, mailoutbox
):
    referral.sheet.approve(by=coordinator)
    client.force_login(coordinator)
    client.post(
        reverse("referrals:referral-send-link", args=[referral.pk]), {"to": "kitamura@example.jp"}
    )
    client.logout()
    consent.withdraw(by=coordinator)
    (mail,) = mailoutbox
    assert_nothing_identifying(mail.subject + mail.body)
    token = re.search(r"/r/([^/\s]+)/", mail.body).group(1)
    response = Client().get(page(token))
    assert response.status_code == 200
    assert_nothing_identifying(response.content.decode())


def test_the_partner_accepts(client, asked, token):
    events = CaseEvent.objects.filter(case=asked.case).count()
    response = client.post(
        page(token), {"step": "answer", "answer": "accept", "comment": "来週なら対応できます"}
    )
    assert response.status_code == 302
    assert response.url == page(token)
    asked.refresh_from_db()
    assert asked.status == Status.ACCEPTED
    step = asked.steps.last()
    assert step.status == Status.ACCEPTED
    assert step.by is None
    assert step.channel == Channel.LINK
    assert step.comment == "来週なら対応できます"
    assert CaseEvent.objects.filter(case=asked.case).count() == events + 1
    assert audits(AuditEvent.Action.CHANGE, via="partner_link", status="accepted").count() == 1

    thanks = client.get(page(token))
    assert thanks.status_code == 200
    assert asked.sheet.need not in thanks.content.decode()
    assert "<form" not in thanks.content.decode()


def test_declining_needs_a_reason(client, asked, token):
    steps = asked.steps.count()
    response = client.post(page(token), {"step": "answer", "answer": "decline"})
    assert response.status_code == 200
    assert response.context["form"].errors["decline_reason"]
    asked.refresh_from_db()
    assert asked.status == Status.ASKED
    assert asked.steps.count() == steps


def test_the_partner_declines(client, asked, token):
    response = client.post(
        page(token), {"step": "answer", "answer": "decline", "decline_reason": "no_capacity"}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Status.DECLINED
    assert asked.decline_reason == "no_capacity"
    closed = client.get(page(token))
    assert closed.status_code == 200
    assert asked.sheet.need not in closed.content.decode()


@pytest.mark.parametrize("status", [Status.REFERRED, Status.FOLLOWING_UP])
def test_the_partner_reports_the_outcome(client, asked, token, status):
    advance(asked, status)
    asked.refresh_from_db()
    response = client.get(page(token))
    assert 'name="step" value="outcome"' in response.content.decode()
    response = client.post(page(token), {"step": "outcome", "outcome": "resolved"})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Status.COMPLETED
    assert asked.outcome == "resolved"
    report = asked.follow_ups.last()
    assert report.by is None
    assert report.method == FollowUp.Method.LINK
    assert report.spoke_with == FollowUp.Party.PARTNER
    assert report.next_on is None
    assert report.note == str(Referral.Outcome.RESOLVED.label)
    assert asked.steps.last().channel == Channel.LINK
    assert audits(AuditEvent.Action.CHANGE, via="partner_link", status="completed").exists()


def test_the_report_keeps_the_partners_words(client, asked, token):
    advance(asked, Status.REFERRED)
    client.post(
        page(token), {"step": "outcome", "outcome": "support_continues", "comment": "継続中"}
    )
    assert asked.follow_ups.get().note == "継続中"


def test_the_report_is_written_in_the_centres_language(client, asked, token):
    advance(asked, Status.REFERRED)
    client.post(page(token), {"step": "outcome", "outcome": "resolved"}, HTTP_ACCEPT_LANGUAGE="en")
    with translation.override(settings.LANGUAGE_CODE):
        assert asked.follow_ups.get().note == str(Referral.Outcome.RESOLVED.label)


def tampered(token):
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def expired(referral, token):
    referral.links.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    return token


def replaced(referral, token):
    issue(referral)
    return token


def cancelled(referral, token):
    referral.cancel(by=referral.coordinator)
    return token


@pytest.mark.parametrize(
    "spoil",
    [
        lambda referral, token: tampered(token),
        lambda referral, token: "abc123",
        expired,
        replaced,
        cancelled,
    ],
    ids=["tampered", "random", "expired", "replaced", "cancelled"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_link_that_does_not_work_changes_nothing(client, asked, token, spoil, method):
    bad = spoil(asked, token)
    asked.refresh_from_db()
    status, steps = asked.status, ReferralStep.objects.count()
    response = getattr(client, method)(
        page(bad), {"step": "answer", "answer": "accept"} if method == "post" else {}
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert "<form" not in html
    for secret in [
        "金沢労働基準監督署",
        "金沢ライフサポートセンター",
        asked.sheet.need,
        *IDENTIFIERS,
    ]:
        assert secret not in html
    asked.refresh_from_db()
    assert asked.status == status
    assert ReferralStep.objects.count() == steps
    event = audits(AuditEvent.Action.DENIED, reason="partner_link_invalid").get()
    assert event.user is None
    assert event.object_id == ""
    assert bad not in str(event.detail)
    assert token not in str(event.detail)


def test_a_second_answer_is_refused(client, asked, token):
    client.post(page(token), {"step": "answer", "answer": "accept"})
    response = client.post(page(token), {"step": "answer", "answer": "accept"})
    assert response.status_code == 409
    assert "<form" not in response.content.decode()
    assert asked.steps.filter(status=Status.ACCEPTED).count() == 1
    assert audits(AuditEvent.Action.DENIED, reason="partner_link_reused").count() == 1


def test_a_report_after_completion_is_refused(client, asked, token):
    advance(asked, Status.REFERRED)
    client.post(page(token), {"step": "outcome", "outcome": "resolved"})
    response = client.post(page(token), {"step": "outcome", "outcome": "unsuccessful"})
    assert response.status_code == 409
    asked.refresh_from_db()
    assert asked.outcome == "resolved"
    assert asked.follow_ups.count() == 1


def test_an_answer_overtaken_by_staff_is_refused(client, asked, token):
    """The partner's page was loaded while asked; staff then recorded the answer and
    referred the client: the old answer form is not read as an outcome report."""
    advance(asked, Status.REFERRED)
    response = client.post(page(token), {"step": "answer", "answer": "decline"})
    assert response.status_code == 409
    asked.refresh_from_db()
    assert asked.status == Status.REFERRED


def test_a_concurrent_change_is_a_409_not_a_500(client, asked, token, monkeypatch):
    def changed_meanwhile(self, **kwargs):
        # What Referral._move says when staff moved the referral a moment before.
        Referral.objects.filter(pk=self.pk).update(status=Status.DECLINED, decline_reason="other")
        self._move(Status.ACCEPTED, by=None)

    monkeypatch.setattr(Referral, "accept", changed_meanwhile)
    response = client.post(page(token), {"step": "answer", "answer": "accept"})
    assert response.status_code == 409
    assert not asked.steps.filter(status=Status.ACCEPTED).exists()
    assert audits(AuditEvent.Action.DENIED, reason="partner_link_conflict").count() == 1
    assert not audits(AuditEvent.Action.CHANGE).exists()


def test_every_response_keeps_the_token_private(client, asked, token):
    responses = [
        client.get(page(token)),
        client.post(page(token), {"step": "answer", "answer": "accept"}),
        client.post(page(token), {"step": "answer", "answer": "accept"}),
        client.get(page(token)),
        client.get(page(tampered(token))),
        client.put(page(token)),
    ]
    assert [r.status_code for r in responses] == [200, 302, 409, 200, 404, 405]
    for response in responses:
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Robots-Tag"] == "noindex"
        assert "no-store" in response["Cache-Control"]
        assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "status", [Status.ASKED, Status.ACCEPTED, Status.REFERRED, Status.COMPLETED]
)
def test_the_page_links_to_no_staff_page(client, asked, token, status):
    advance(asked, status)
    response = client.get(page(token))
    assert response.status_code == 200
    links = hrefs(response)
    assert links  # the style sheets at least
    assert not [href for href in links if href.startswith(STAFF_PREFIXES)]
    assert not [href for href in links if href.startswith("/") and "/static/" not in href]


def test_the_page_needs_no_session_and_checks_csrf(asked, token):
    browser = Client(enforce_csrf_checks=True)
    response = browser.get(page(token))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())

    refused = browser.post(page(token), {"step": "answer", "answer": "accept"})
    assert refused.status_code == 403
    asked.refresh_from_db()
    assert asked.status == Status.ASKED

    answered = browser.post(
        page(token),
        {"step": "answer", "answer": "accept", "csrfmiddlewaretoken": csrf.group(1)},
    )
    assert answered.status_code == 302
    assert settings.SESSION_COOKIE_NAME not in answered.cookies
    asked.refresh_from_db()
    assert asked.status == Status.ACCEPTED


def test_staff_logged_in_see_the_same_page(client, coordinator, asked, token):
    client.force_login(coordinator)
    response = client.get(page(token))
    assert response.status_code == 200
    assert not [href for href in hrefs(response) if href.startswith(STAFF_PREFIXES)]


def add_follow_ups(referral, count):
    for day in range(count):
        referral.add_follow_up(
            by=referral.coordinator,
            done_on=timezone.localdate(),
            method=FollowUp.Method.PHONE,
            spoke_with=FollowUp.Party.CLIENT,
            note=f"{day}日目の確認",
            next_on=timezone.localdate() + datetime.timedelta(days=7),
        )


@pytest.mark.parametrize("follow_ups", [1, 12])
def test_the_page_query_budget(client, asked, token, follow_ups, django_assert_max_num_queries):
    advance(asked, Status.REFERRED)
    add_follow_ups(asked, follow_ups)
    # the link, its last use, the referral joined to everything the page shows, the
    # audit entry (the chain's head, the insert; its content type is cached)
    with django_assert_max_num_queries(5):
        response = client.get(page(token))
    assert response.status_code == 200
    assert 'name="outcome"' in response.content.decode()


@pytest.mark.parametrize("follow_ups", [1, 12])
def test_the_report_query_budget(client, asked, token, follow_ups, django_assert_max_num_queries):
    advance(asked, Status.REFERRED)
    add_follow_ups(asked, follow_ups)
    # the link, its last use, the referral; the follow-up, its date and timeline entry;
    # the locked status, the referral, its step and timeline entry; the audit entry
    # (the chain's head, the insert); six savepoints around them; the row lock again
    # before the follow-up
    with django_assert_max_num_queries(19):
        response = client.post(page(token), {"step": "outcome", "outcome": "resolved"})
    assert response.status_code == 302
