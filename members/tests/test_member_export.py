import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from members.fiscal import fiscal_year_of
from members.imports import check_file
from members.tests.factories import FeeFactory, MemberFactory

CSV = reverse("members:member-export-csv")
XLSX = reverse("members:member-export-xlsx")
YEAR = fiscal_year_of(timezone.localdate())


@pytest.fixture
def members(center, general, friends):
    hanako = MemberFactory(
        center=center,
        membership_type=friends,
        name="山田 花子",
        union="電機連合",
        notes='=HYPERLINK("x")',
    )
    FeeFactory(member=hanako, fiscal_year=YEAR, paid=400)
    FeeFactory(member=hanako, fiscal_year=YEAR - 1)
    MemberFactory(center=center, membership_type=general, name="佐藤 一郎")
    MemberFactory(name="他拠点 太郎")


def read_csv(response):
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_export_of_the_centres_members_is_audited(client, coordinator, members):
    client.force_login(coordinator)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:4] == ["会員番号", "会員種別", "氏名・団体名", "フリガナ"]
    assert [row[2] for row in rows[1:]] == ["山田 花子", "佐藤 一郎"]
    hanako = dict(zip(rows[0], rows[1], strict=True))
    assert (hanako["会費年度"], hanako["会費"], hanako["納入額"]) == (str(YEAR), "1000", "400")
    assert hanako["未納額（累計）"] == "1600"
    assert hanako["備考"].startswith("'=")  # never run as a formula
    event = AuditEvent.objects.get(action="export")
    numbers = [row[0] for row in rows[1:]]
    assert event.detail == {"format": "csv", "count": 2, "subjects": {"members": numbers}}


def test_the_export_follows_the_list_filters(client, coordinator, members):
    client.force_login(coordinator)
    client.post(reverse("members:member-list"), {"q": "佐藤"})
    rows = read_csv(client.get(CSV))
    assert [row[2] for row in rows[1:]] == ["佐藤 一郎"]


def test_excel_export_has_bold_japanese_headers(client, coordinator, members):
    client.force_login(coordinator)
    response = client.get(XLSX)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "会員番号"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= 20
    assert sheet["C2"].value == "山田 花子"
    assert sheet.max_row == 3
    numbers = [sheet["A2"].value, sheet["A3"].value]
    assert AuditEvent.objects.get(action="export").detail == {
        "format": "xlsx",
        "count": 2,
        "subjects": {"members": numbers},
    }


def test_an_export_reads_back_as_an_import(client, coordinator, members, other_center):
    client.force_login(coordinator)
    content = b"".join(client.get(CSV).streaming_content)
    check = check_file(content, other_center)
    # Numbers are the other centre's: the rows are refused, everything else is fine.
    assert {error.column for error in check.errors} == {"会員番号"}
    numbers_removed = content.decode("utf-8-sig").replace("KNZ-0000", "")
    check = check_file(numbers_removed.encode(), other_center)
    assert check.errors == []
    assert check.rows[0]["fee"]["paid"] == 400


def test_query_budget(client, coordinator, center, general, django_assert_max_num_queries):
    for _ in range(20):
        FeeFactory(member=MemberFactory(center=center, membership_type=general), fiscal_year=YEAR)
    client.force_login(coordinator)
    # session, user, permissions (one query: accounts.backends), the count, the audit event
    # (the members' numbers, the chain's head, the insert), the members with their type,
    # status, fee and arrears, the session save (3). ...and the second factor's device
    # (django-otp), on every signed-in request.
    with django_assert_max_num_queries(12):
        response = client.get(CSV)
        rows = read_csv(response)
    assert len(rows) == 21


def test_counter_staff_and_viewers_may_not_export(client, counter_staff, viewer):
    assert client.get(CSV).status_code == 302
    for user in (counter_staff, viewer):
        client.force_login(user)
        assert client.get(CSV).status_code == 403
        assert client.get(XLSX).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
