"""Row 39: incident scoping in minutes. Which cases and clients did one member of staff
open between T1 and T2, and how many of the cases were restricted (要配慮): from
`manage.py access_report` and from the managers' page."""

import csv
import datetime
import io
import json
import re
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
T1 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TOKYO)
T2 = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=TOKYO)
PERIOD = {"start": "2026-11-02T09:00", "end": "2026-11-02T10:00"}


def at(moment, client, url):
    with time_machine.travel(moment, tick=False):
        return client.get(url)


@pytest.fixture
def scenario(client, center, counter_staff, coordinator):
    """What counter staff opened before, during and after the hour from T1 to T2, and
    what a colleague opened meanwhile."""
    cases = {
        name: CaseFactory(center=center, created_by=counter_staff, restricted=restricted)
        for name, restricted in [
            ("before", False),
            ("seen", False),
            ("restricted", True),
            ("edited", False),
            ("at_the_end", False),
        ]
    }
    walk_in = ClientFactory(center=center)
    others = CaseFactory(center=center, created_by=coordinator, restricted=True)
    client.force_login(counter_staff)
    minute = datetime.timedelta(minutes=1)
    at(T1 - minute, client, cases["before"].get_absolute_url())
    at(T1, client, cases["seen"].get_absolute_url())
    at(T1 + 10 * minute, client, cases["restricted"].get_absolute_url())
    at(T1 + 20 * minute, client, cases["seen"].get_absolute_url())
    at(T1 + 30 * minute, client, walk_in.get_absolute_url())
    at(T1 + 40 * minute, client, reverse("consultations:case-edit", args=[cases["edited"].number]))
    assert at(T1 + 50 * minute, client, others.get_absolute_url()).status_code == 404
    at(T2, client, cases["at_the_end"].get_absolute_url())
    client.force_login(coordinator)
    at(T1 + 5 * minute, client, others.get_absolute_url())
    client.logout()
    opened = [cases["seen"], cases["restricted"], cases["edited"]]
    return {
        "cases": sorted(case.number for case in opened),
        "clients": sorted([*(case.client_id for case in opened), walk_in.pk]),
        "restricted": [cases["restricted"].number],
    }


def command_output(*args):
    out = io.StringIO()
    call_command("access_report", *args, stdout=out)
    return out.getvalue()


def test_row_39_the_command_lists_exactly_what_the_user_opened_in_the_window(scenario):
    report = json.loads(
        command_output(
            "--user", "counter", "--from", "2026-11-02T09:00", "--to", "2026-11-02T10:00", "--json"
        )
    )
    assert report["cases"] == scenario["cases"]
    assert report["clients"] == scenario["clients"]
    assert report["restricted"] == scenario["restricted"]
    assert report["restricted_cases"] == 1
    assert report["members"] == []
    assert report["denied"] == 1


def test_row_39_the_printed_report_names_the_same_numbers(scenario):
    lines = command_output(
        "--user", "counter", "--from", "2026-11-02 09:00", "--to", "2026-11-02 10:00"
    ).splitlines()
    listed = [line.partition(": ")[2].split() for line in lines[1:5]]
    assert listed == [
        scenario["cases"],
        [str(pk) for pk in scenario["clients"]],
        [],
        scenario["restricted"],
    ]
    assert re.search(r"(\d+)$", lines[5]).group(1) == "1"


def test_row_39_a_whole_day_and_another_time_zone_are_understood(scenario):
    report = json.loads(
        command_output("--user", "counter", "--from", "2026-11-02", "--to", "2026-11-03", "--json")
    )
    assert len(report["cases"]) == 5  # the one before and the one at the end too
    in_utc = json.loads(
        command_output(
            "--user",
            "counter",
            "--from",
            "2026-11-02T00:00+00:00",
            "--to",
            "2026-11-02T01:00+00:00",
            "--json",
        )
    )
    assert in_utc["cases"] == scenario["cases"]


def test_the_command_refuses_an_unknown_user_and_an_empty_period(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        command_output("--user", "nobody", "--from", "2026-11-02", "--to", "2026-11-03")
    UserFactory(username="somebody")
    with pytest.raises(CommandError):
        command_output("--user", "somebody", "--from", "2026-11-03", "--to", "2026-11-02")


# The page --------------------------------------------------------------------------------


def page(user, **query):
    return reverse("accounts:access-report"), {"user": user.pk, **PERIOD, **query}


def test_row_39_managers_see_the_report_of_a_colleague(
    client, manager, counter_staff, scenario, django_assert_max_num_queries
):
    client.force_login(manager)
    url, query = page(counter_staff)
    client.get(url, query)  # the session's once-a-minute refresh and the record types
    # session, user with their centre, permissions (one query: accounts.backends), the
    # second factor's device (django-otp), the chosen colleague, the events' details,
    # the refusals' count, the audit event of this report (the chain's head, the
    # insert), the colleagues for the choice.
    with django_assert_max_num_queries(10):
        response = client.get(url, query)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.cases, report.clients, report.restricted, report.denied) == (
        scenario["cases"],
        scenario["clients"],
        scenario["restricted"],
        1,
    )
    text = response.content.decode()
    for number in scenario["cases"]:
        assert number in text
    # Looking into a colleague's access is itself in the trail.
    looked = AuditEvent.objects.filter(user=manager, action=AuditEvent.Action.VIEW)
    assert {(event.object_id, event.detail["report"]) for event in looked} == {
        (str(counter_staff.pk), "access")
    }


def test_row_39_the_report_downloads_as_csv(client, manager, counter_staff, scenario):
    client.force_login(manager)
    _url, query = page(counter_staff)
    response = client.get(reverse("accounts:access-report-csv"), query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="access-report-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["kind", "id", "restricted"]
    assert [row[1] for row in rows[1:] if row[0] == "case"] == scenario["cases"]
    assert [row[1] for row in rows[1:] if row[0] == "client"] == [
        str(pk) for pk in scenario["clients"]
    ]
    assert [row[1] for row in rows[1:] if row[2] == "yes"] == scenario["restricted"]
    assert AuditEvent.objects.filter(user=manager, action=AuditEvent.Action.EXPORT).count() == 1


@pytest.mark.parametrize("role", [Role.COUNTER, Role.COORDINATOR, Role.VIEWER])
def test_only_managers_may_see_the_report(client, center, counter_staff, scenario, role):
    client.force_login(UserFactory(center=center, roles=[role]))
    url, query = page(counter_staff)
    assert client.get(url, query).status_code == 403
    assert client.get(reverse("accounts:access-report-csv"), query).status_code == 403


def test_a_manager_of_another_centre_cannot_choose_our_staff(
    client, other_center, counter_staff, scenario
):
    client.force_login(UserFactory(center=other_center, roles=[Role.MANAGER]))
    url, query = page(counter_staff)
    response = client.get(url, query)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "user" in response.context["form"].errors
    assert scenario["cases"][0] not in response.content.decode()
    csv_response = client.get(reverse("accounts:access-report-csv"), query)
    assert csv_response.status_code == 302


def test_the_period_must_end_after_it_starts(client, manager, counter_staff):
    client.force_login(manager)
    url, query = page(counter_staff, end=PERIOD["start"])
    response = client.get(url, query)
    assert response.context["report"] is None
    assert "end" in response.context["form"].errors


def test_anonymous_is_sent_to_log_in(client, counter_staff):
    url, query = page(counter_staff)
    response = client.get(url, query)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
