import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from members.imports import MAX_UPLOAD_BYTES
from members.models import Fee, Member, MemberNumberCounter, Payment
from members.tests.factories import MemberFactory

URL = reverse("members:member-import")
CONFIRM = reverse("members:member-import-confirm")
HEADER = (
    "会員番号,会員種別,氏名・団体名,フリガナ,郵便番号,構成組織・単組,退職者,入会日,"
    "会費年度,納入額,納入日"
)
GOOD = [
    "KNZ-00100,友の会会員,山田 花子,やまだ はなこ,920-0853,電機連合,,2019/4/1,2026,1000,2026/5/1",
    ",一般会員,佐藤 一郎,サトウ イチロウ,９２３－０９２１,UAゼンセン,はい,2020-06-15,,,",
    "7,一般会員,鈴木 次郎,スズキ ジロウ,,,いいえ,2021年4月1日,,,",
]


def upload(lines, *, encoding="utf-8-sig", name="register.csv"):
    return SimpleUploadedFile(name, "\r\n".join(lines).encode(encoding), "text/csv")


def check(client, lines, **kwargs):
    return client.post(URL, {"file": upload(lines, **kwargs)})


@pytest.fixture
def types(general, friends):
    return general, friends


def test_a_clean_file_is_checked_then_imported_all_together(client, manager, types):
    client.force_login(manager)
    response = check(client, [HEADER, *GOOD])
    assert response.status_code == 200
    result = response.context["check"]
    assert (result.errors, len(result.rows)) == ([], 3)
    assert not Member.objects.exists()  # the dry run writes nothing

    response = client.post(CONFIRM)
    assert response.status_code == 302
    members = {m.number: m for m in Member.objects.select_related("membership_type")}
    # Numbers given are kept; an empty one gets the next after the highest.
    assert set(members) == {"KNZ-00100", "KNZ-00007", "KNZ-00101"}
    hanako = members["KNZ-00100"]
    assert (hanako.name_kana, hanako.address, hanako.union) == (
        "ヤマダ ハナコ",
        "石川県金沢市本町",
        "電機連合",
    )
    assert hanako.search_text
    assert members["KNZ-00101"].is_retired
    assert members["KNZ-00101"].postcode == "923-0921"
    fee = Fee.objects.get(member=hanako)
    assert (fee.fiscal_year, fee.amount, fee.paid) == (2026, 1000, 1000)
    assert Payment.objects.get().receipt_number == "移行"
    assert MemberNumberCounter.take(manager.center) == 102
    event = AuditEvent.objects.get(action="create", detail__imported=3)
    assert event.detail["payments"] == 1
    # The checked rows are used once.
    assert client.post(CONFIRM).status_code == 302
    assert Member.objects.count() == 3


def test_shift_jis_files_from_excel_are_read(client, manager, types):
    client.force_login(manager)
    response = check(client, [HEADER, *GOOD], encoding="cp932")
    assert response.context["check"].errors == []
    assert response.context["check"].rows[0]["name"] == "山田 花子"


def test_every_bad_row_is_reported_and_nothing_can_be_imported(client, manager, types):
    MemberFactory(center=manager.center)  # KNZ-00001
    client.force_login(manager)
    response = check(
        client,
        [
            HEADER,
            *GOOD,
            "KNZ-00001,一般会員,重複 DB,,,,,2020-04-01,,,",
            "KNZ-00100,一般会員,重複 ファイル,,,,,2020-04-01,,,",
            ",名誉会員,種別 不明,,,,,2020-04-01,,,",
            ",一般会員,郵便 不正,,92-08,,,2020-04-01,,,",
            ",一般会員,金額 負,,,,,2020-04-01,2026,-500,",
            ",一般会員,金額 超過,,,,,2020-04-01,2026,5000,",
            ",一般会員,,,,,,2020-04-01,,,",
            ",一般会員,日付 不正,,,,,2020-02-30,,,",
            ",一般会員,カナ 不正,Yamada,,,,2020-04-01,,,",
            "KMT-00003,一般会員,他拠点 番号,,,,,2020-04-01,,,",
            ",一般会員,退職 不正,,,,たぶん,2020-04-01,,,",
        ],
    )
    assert response.status_code == 200
    errors = response.context["check"].errors
    assert [(e.line, e.column) for e in errors] == [
        (5, "会員番号"),
        (6, "会員番号"),
        (7, "会員種別"),
        (8, "郵便番号"),
        (9, "納入額"),
        (10, "納入額"),
        (11, "氏名・団体名"),
        (12, "入会日"),
        (13, "フリガナ"),
        (14, "会員番号"),
        (15, "退職者"),
    ]
    assert CONFIRM not in response.text
    assert client.post(CONFIRM).status_code == 302
    assert Member.objects.count() == 1


def test_messages_name_the_problem(client, manager, types, english):
    client.force_login(manager)
    response = check(
        client,
        [HEADER, ",名誉会員,種別 不明,,,,,2020-04-01,,,", ",一般会員,負,,,,,2020-04-01,2026,-1,"],
    )
    messages = [e.message for e in response.context["check"].errors]
    assert messages == ["Unknown membership type “名誉会員”.", "The amount cannot be negative."]


def test_a_number_taken_after_the_dry_run_stops_the_whole_import(client, manager, types):
    client.force_login(manager)
    check(client, [HEADER, *GOOD])
    MemberFactory(center=manager.center, sequence=7, number="KNZ-00007")
    response = client.post(CONFIRM, follow=True)
    assert Member.objects.count() == 1
    assert "KNZ-00007" in response.text


@pytest.mark.parametrize(
    "content",
    [
        b"",
        "会員番号,氏名\n1,山田\n".encode(),  # required columns missing
        HEADER.encode() + b"\n",  # header only
        b"\x81\xff\xfe\x00garbage",  # neither UTF-8 nor Shift_JIS
        '会員種別,氏名・団体名,入会日\n"一般会員,壊れた'.encode(),  # unterminated quote
    ],
)
def test_unreadable_files_are_explained_not_an_error(client, manager, types, content):
    client.force_login(manager)
    response = client.post(URL, {"file": SimpleUploadedFile("x.csv", content)})
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["check"].errors
    assert not Member.objects.exists()


def test_files_over_5_mb_are_refused(client, manager, types):
    client.force_login(manager)
    big = SimpleUploadedFile("big.csv", b"x" * (MAX_UPLOAD_BYTES + 1))
    response = client.post(URL, {"file": big})
    assert response.context["form"].has_error("file", "too_big")


def test_only_managers_import(client, coordinator, viewer):
    assert client.get(URL).status_code == 302
    for user in (coordinator, viewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(CONFIRM).status_code == 403


def test_confirm_is_post_only(client, manager):
    client.force_login(manager)
    assert client.get(CONFIRM).status_code == 405


def test_two_thousand_rows(client, manager, types, capsys):
    lines = [HEADER] + [
        f",一般会員,会員 {n},カイイン,920-0853,自治労,,2020-04-01,2026,3000,2026-04-10"
        for n in range(2000)
    ]
    client.force_login(manager)
    started = time.perf_counter()
    response = check(client, lines)
    checked = time.perf_counter()
    assert response.context["check"].errors == []
    client.post(CONFIRM)
    done = time.perf_counter()
    assert Member.objects.count() == 2000
    assert Payment.objects.count() == 2000
    with capsys.disabled():
        print(
            f"\nimport of 2000 rows: check {checked - started:.2f}s, import {done - checked:.2f}s"
        )


def test_imported_members_are_counted_on_the_list_at_once(client, manager, types):
    client.force_login(manager)
    list_url = reverse("members:member-list")
    assert client.get(list_url).context["page"].paginator.count == 0
    check(client, [HEADER, *GOOD])
    client.post(CONFIRM)
    response = client.get(list_url)
    assert response.context["page"].paginator.count == 3
