"""manage.py send_followup_reminders: one mail a day to each coordinator with follow-ups
due or overdue, without the client's name."""

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import CaseFactory
from referrals.models import FollowUpReminder, Referral
from referrals.tests.factories import referral_in

pytestmark = pytest.mark.django_db

S = Referral.Status
TODAY = timezone.localdate()


def make(status, coordinator, service, **dates):
    case = CaseFactory(center=coordinator.center, created_by=coordinator)
    referral = referral_in(status, case=case, service=service, coordinator=coordinator)
    if dates:
        Referral.objects.filter(pk=referral.pk).update(**dates)
    referral.refresh_from_db()
    return referral


def remind(*args):
    """The command's output, in English for the assertions on it."""
    out = StringIO()
    with translation.override("en"):
        call_command("send_followup_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def colleague(center):
    return UserFactory(center=center, roles=[Role.COORDINATOR])


@pytest.fixture
def items(coordinator, colleague, labour_service):
    """The coordinator's referrals: one due today, one overdue, one coming, one
    completed; the colleague's: one overdue."""
    return {
        "due": make(S.REFERRED, coordinator, labour_service, follow_up_on=TODAY),
        "overdue": make(
            S.FOLLOWING_UP,
            coordinator,
            labour_service,
            follow_up_on=TODAY - datetime.timedelta(days=4),
        ),
        "coming": make(
            S.REFERRED,
            coordinator,
            labour_service,
            follow_up_on=TODAY + datetime.timedelta(days=1),
        ),
        "completed": make(S.COMPLETED, coordinator, labour_service),
        "theirs": make(
            S.REFERRED, colleague, labour_service, follow_up_on=TODAY - datetime.timedelta(days=1)
        ),
    }


def test_each_coordinator_gets_one_mail_of_their_due_and_overdue_items(
    coordinator, colleague, items, mailoutbox
):
    output = remind()

    assert len(mailoutbox) == 2
    [mine] = [mail for mail in mailoutbox if mail.to == [coordinator.email]]
    [theirs] = [mail for mail in mailoutbox if mail.to == [colleague.email]]
    for key in ("due", "overdue"):
        referral = items[key]
        assert referral.case.number in mine.body
        assert settings.SITE_URL + referral.get_absolute_url() in mine.body
    assert items["overdue"].follow_up_on.strftime("%Y-%m-%d") in mine.body
    for key in ("coming", "completed", "theirs"):
        assert items[key].case.number not in mine.body
    assert items["theirs"].case.number in theirs.body
    assert "金沢労働基準監督署" in mine.body
    assert "\n" not in mine.subject
    assert output.strip().startswith("2 coordinators mailed about 3 follow-ups")
    notes = FollowUpReminder.objects.order_by("item_count")
    assert [(n.user, n.sent_on, n.item_count) for n in notes] == [
        (colleague, TODAY, 1),
        (coordinator, TODAY, 2),
    ]


def test_the_mail_never_names_the_client_or_the_matter(
    coordinator, case, labour_service, mailoutbox
):
    referral = referral_in(
        S.REFERRED,
        case=case,
        service=labour_service,
        coordinator=coordinator,
        need="残業代の請求について相談したい",
    )
    Referral.objects.filter(pk=referral.pk).update(follow_up_on=TODAY)

    remind()

    [mail] = mailoutbox
    text = mail.subject + mail.body
    assert case.number in text
    for secret in ["山田", "花子", "ヤマダ", "09012345678", "残業代", case.title]:
        assert secret not in text


def test_a_second_run_the_same_day_sends_nothing(coordinator, items, mailoutbox):
    remind()
    sent = len(mailoutbox)

    output = remind()

    assert len(mailoutbox) == sent
    assert output.strip().startswith("0 ")
    assert FollowUpReminder.objects.count() == sent


def test_dry_run_prints_and_sends_and_writes_nothing(coordinator, items, mailoutbox):
    output = remind("--dry-run")

    assert mailoutbox == []
    assert not FollowUpReminder.objects.exists()
    assert coordinator.email in output
    assert items["due"].case.number in output
    assert "Dry run: 2 coordinators would be mailed about 3 follow-ups" in output


def test_date_catches_up_a_missed_day(coordinator, items, mailoutbox):
    yesterday = TODAY - datetime.timedelta(days=1)

    remind("--date", yesterday.isoformat())

    [mine] = [mail for mail in mailoutbox if mail.to == [coordinator.email]]
    # Due today is not yet due yesterday; the overdue one was.
    assert items["overdue"].case.number in mine.body
    assert items["due"].case.number not in mine.body
    assert FollowUpReminder.objects.filter(user=coordinator, sent_on=yesterday).exists()
    # Today's run still mails.
    remind()
    assert FollowUpReminder.objects.filter(user=coordinator, sent_on=TODAY).exists()


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError):
        remind("--date", "2026-13-01")


def test_a_coordinator_with_nothing_due_gets_nothing(coordinator, labour_service, mailoutbox):
    make(S.REFERRED, coordinator, labour_service, follow_up_on=TODAY + datetime.timedelta(1))
    remind()
    assert mailoutbox == []
    assert not FollowUpReminder.objects.exists()


def test_staff_without_an_address_or_no_longer_active_are_skipped(
    center, coordinator, labour_service, mailoutbox
):
    no_address = UserFactory(center=center, roles=[Role.COORDINATOR], email="")
    gone = UserFactory(center=center, roles=[Role.COORDINATOR], is_active=False)
    for user in (no_address, gone, coordinator):
        make(S.REFERRED, user, labour_service, follow_up_on=TODAY)

    remind()

    assert [mail.to for mail in mailoutbox] == [[coordinator.email]]
    assert list(FollowUpReminder.objects.values_list("user", flat=True)) == [coordinator.pk]
