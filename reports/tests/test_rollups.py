"""The roll-up tables against small data sets counted by hand: 連合 by calendar year,
MHLW's civil disputes by fiscal year (延べ and 実件数), and the LSC field shares."""

import datetime
import zoneinfo

import pytest
from django.utils.translation import gettext as _

from consultations.models import EmploymentType
from consultations.tests.factories import CaseFactory, ConsultationFactory
from network.models import Category, Topic
from reports import rollups
from reports.periods import Period
from reports.statistics import Scope

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
YEAR_2025 = Period(Period.YEAR, 2025)
FY2025 = Period(Period.FISCAL_YEAR, 2025)


def at(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def consultation(center, received_at, topics, **profile):
    return ConsultationFactory(
        case=CaseFactory(center=center), received_at=received_at, topics=topics, **profile
    )


def without_main_concern(center, received_at, **profile):
    """A consultation whose topic is marked but not as the main concern."""
    heard = consultation(center, received_at, ["W1-01"], **profile)
    heard.topic_links.update(is_main=False)
    return heard


@pytest.fixture
def year_2025(center, other_center):
    heard_in_2025(center, other_center)


def heard_in_2025(center, other_center):
    """Calendar year 2025 at 金沢: fifteen consultations for 連合, one not for 連合,
    and some just outside the year or at the other centre.

    #  main topic  大項目 / 小項目                          gender  age   employment   industry
    1  W1-01 (+02) 雇用関係 / 解雇・退職強要・契約打切     male    45    regular      E
    2  W1-02       雇用関係 / 解雇・退職強要・契約打切     female  33    fixed_term   P
    3  W1-03       雇用関係 / 解雇・退職強要・契約打切     female  52    part_time    P
    4  W1-10 (+11) 賃金関係 / 賃金未払い                   male    28    arbeit       I
    5  W1-11       賃金関係 / 不払い残業…                  male    61    dispatched   H
    6  W1-06       賃金関係 / 退職金・退職手続             female  67    shokutaku    -
    7  W1-14       労働時間関係 / 年次有給休暇             female  24    part_time    M
    8  W1-13       労働時間関係 / その他                   male    -     regular      E
    9  W1-15       差別等 / パワハラ・嫌がらせ             female  41    regular      P
    10 W1-15 (+16) 差別等 / パワハラ・嫌がらせ             female  38    regular      P
    11 W1-16       差別等 / セクハラ                       female  29    part_time    M
    12 W1-09       労働契約関係 / 雇用契約・就業規則       male    55    regular      D
    13 W1-05       労働契約関係 / 退職手続                 -       19    arbeit       M
    14 L3-01       その他                                  male    47    job_seeking  -
    15 (none)      その他                                  -       -     -            -
    """
    rows = [
        (at(2025, 1, 1, 0, 0), ["W1-01", "W1-02"], "male", 45, "regular", "E"),
        (at(2025, 12, 31, 23, 59), ["W1-02"], "female", 33, "fixed_term", "P"),
        (at(2025, 3, 1, 10, 0), ["W1-03"], "female", 52, "part_time", "P"),
        (at(2025, 4, 1, 10, 0), ["W1-10", "W1-11"], "male", 28, "arbeit", "I"),
        (at(2025, 5, 1, 10, 0), ["W1-11"], "male", 61, "dispatched", "H"),
        (at(2025, 6, 1, 10, 0), ["W1-06"], "female", 67, "shokutaku", ""),
        (at(2025, 7, 1, 10, 0), ["W1-14"], "female", 24, "part_time", "M"),
        (at(2025, 8, 1, 10, 0), ["W1-13"], "male", None, "regular", "E"),
        (at(2025, 9, 1, 10, 0), ["W1-15"], "female", 41, "regular", "P"),
        (at(2025, 10, 1, 10, 0), ["W1-15", "W1-16"], "female", 38, "regular", "P"),
        (at(2025, 11, 1, 10, 0), ["W1-16"], "female", 29, "part_time", "M"),
        (at(2025, 11, 2, 10, 0), ["W1-09"], "male", 55, "regular", "D"),
        (at(2025, 11, 3, 10, 0), ["W1-05"], "", 19, "arbeit", "M"),
        (at(2025, 11, 4, 10, 0), ["L3-01"], "male", 47, "job_seeking", ""),
    ]
    for received_at, topics, gender, age, employment_type, industry in rows:
        consultation(
            center,
            received_at,
            topics,
            gender=gender,
            age=age,
            employment_type=employment_type,
            industry=industry,
        )
    without_main_concern(center, at(2025, 11, 5, 10, 0), age=None)
    # Not for the 連合 tally; outside the year; at the other centre.
    consultation(center, at(2025, 2, 1, 10, 0), ["W1-01"], counts_for_rengo=False)
    consultation(center, at(2024, 12, 31, 23, 59), ["W1-01"])
    consultation(center, at(2026, 1, 1, 0, 0), ["W1-01"])
    consultation(other_center, at(2025, 6, 1, 10, 0), ["W1-01"])


def column(table, j=0):
    return [(row.label, row.values[j]) for row in table.rows]


def major(table, label):
    """The count of a 大項目 (a 小項目 may have the same name, その他)."""
    return next(row.values[0] for row in table.rows if row.label == label and row.level == 0)


def rengo(scope, slug):
    return next(table for table in rollups.rengo_tables(scope) if table.slug == slug)


def test_rengo_counts_each_consultation_once_by_its_main_concern(year_2025, center):
    table = rengo(Scope(YEAR_2025, center), "rengo")
    assert column(table) == [
        ("雇用関係", 3),
        ("解雇・退職強要・契約打切", 3),
        ("賃金関係", 3),
        ("退職金・退職手続", 1),
        ("賃金未払い", 1),
        ("不払い残業・休日手当・割増賃金未払い", 1),
        ("最低賃金", 0),
        ("労働時間関係", 2),
        ("年次有給休暇", 1),
        ("その他", 1),
        ("差別等", 3),
        ("パワハラ・嫌がらせ", 2),
        ("セクハラ", 1),
        ("その他", 0),
        ("労働契約関係", 2),
        ("退職手続", 1),
        ("雇用契約・就業規則", 1),
        ("その他", 0),
        # L3-01 and the consultation without a main concern; a lone その他 小項目
        # would only repeat it.
        ("その他", 2),
        ("合計", 15),
    ]
    levels = [row.level for row in table.rows]
    assert levels == [0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0]
    assert table.value("雇用関係", 1) == 20.0
    assert table.rows[-1].is_total


def test_rengo_cross_tables_by_gender_age_employment_and_industry(year_2025, center):
    scope = Scope(YEAR_2025, center)
    categories = ["雇用関係", "賃金関係", "労働時間関係", "差別等", "労働契約関係", "その他"]
    by_gender = rengo(scope, "rengo-by-gender")
    assert [column.label for column in by_gender.columns] == [*categories, "合計", "構成比"]
    assert by_gender.sums_across
    assert [(row.label, row.values[:7]) for row in by_gender.rows] == [
        ("男性", [1, 2, 1, 0, 1, 1, 6]),
        ("女性", [2, 1, 1, 3, 0, 0, 7]),
        ("その他", [0, 0, 0, 0, 0, 0, 0]),
        ("回答しない", [0, 0, 0, 0, 0, 0, 0]),
        ("不明", [0, 0, 0, 0, 1, 1, 2]),
        ("合計", [3, 3, 2, 3, 2, 2, 15]),
    ]
    assert by_gender.value("女性", 7) == 46.7

    by_age = rengo(scope, "rengo-by-age-band")
    assert [(row.label, row.values[:7]) for row in by_age.rows] == [
        ("19歳以下", [0, 0, 0, 0, 1, 0, 1]),
        ("20代", [0, 1, 1, 1, 0, 0, 3]),
        ("30代", [1, 0, 0, 1, 0, 0, 2]),
        ("40代", [1, 0, 0, 1, 0, 1, 3]),
        ("50代", [1, 0, 0, 0, 1, 0, 2]),
        ("60代", [0, 2, 0, 0, 0, 0, 2]),
        ("70代", [0, 0, 0, 0, 0, 0, 0]),
        ("80歳以上", [0, 0, 0, 0, 0, 0, 0]),
        ("不明", [0, 0, 1, 0, 0, 1, 2]),
        ("合計", [3, 3, 2, 3, 2, 2, 15]),
    ]

    by_employment = rengo(scope, "rengo-by-employment-type")
    assert [(row.label, row.values[:7]) for row in by_employment.rows] == [
        ("正社員", [1, 0, 1, 2, 1, 0, 5]),
        (_("Part-time or casual"), [1, 1, 1, 1, 1, 0, 5]),
        (_("Contract, agency or re-employed"), [1, 2, 0, 0, 0, 0, 3]),
        ("その他", [0, 0, 0, 0, 0, 1, 1]),
        ("不明", [0, 0, 0, 0, 0, 1, 1]),
        ("合計", [3, 3, 2, 3, 2, 2, 15]),
    ]

    by_industry = {row.label: row.values[:7] for row in rengo(scope, "rengo-by-industry").rows}
    assert len(by_industry) == 22  # 20 大分類, 不明 and the total
    assert by_industry["D 建設業"] == [0, 0, 0, 0, 1, 0, 1]
    assert by_industry["E 製造業"] == [1, 0, 1, 0, 0, 0, 2]
    assert by_industry["H 運輸業，郵便業"] == [0, 1, 0, 0, 0, 0, 1]
    assert by_industry["I 卸売業，小売業"] == [0, 1, 0, 0, 0, 0, 1]
    assert by_industry["M 宿泊業，飲食サービス業"] == [0, 0, 1, 1, 1, 0, 3]
    assert by_industry["P 医療，福祉"] == [2, 0, 0, 2, 0, 0, 4]
    assert by_industry["不明"] == [0, 1, 0, 0, 0, 2, 3]
    assert by_industry["合計"] == [3, 3, 2, 3, 2, 2, 15]
    assert sum(values[6] for label, values in by_industry.items() if label != "合計") == 15


def test_rengo_counts_the_calendar_year_in_tokyo_time(center):
    consultation(center, at(2024, 12, 31, 23, 59, 59), ["W1-01"])
    consultation(center, at(2025, 1, 1, 0, 0), ["W1-02"])
    consultation(center, at(2025, 12, 31, 23, 59, 59), ["W1-03"])
    consultation(center, at(2026, 1, 1, 0, 0), ["W1-01"])
    assert rengo(Scope(YEAR_2025, center), "rengo").value("雇用関係") == 2
    assert rengo(Scope(Period(Period.YEAR, 2024), center), "rengo").value("雇用関係") == 1
    assert rengo(Scope(Period(Period.YEAR, 2026), center), "rengo").value("雇用関係") == 1


def test_rengo_takes_every_centre_or_one_field(year_2025, center):
    everywhere = rengo(Scope(YEAR_2025), "rengo")
    assert everywhere.value("雇用関係") == 4
    assert everywhere.value("合計") == 16
    # The W1 field: consultations with any W1 topic, the one without a main concern too.
    w1 = rengo(Scope(YEAR_2025, center, Category.objects.get(code="W1")), "rengo")
    assert major(w1, "その他") == 1
    assert w1.value("合計") == 14


def test_a_topic_without_a_rengo_category_counts_under_other(center):
    Topic.objects.filter(code="W1-01").update(rengo_category="", rengo_item="")
    Topic.objects.filter(code="W1-02").update(rengo_category="新しい大項目", rengo_item="")
    consultation(center, at(2025, 5, 1, 10, 0), ["W1-01"])
    consultation(center, at(2025, 5, 2, 10, 0), ["W1-02"])
    table = rengo(Scope(YEAR_2025, center), "rengo")
    labels = [row.label for row in table.rows if row.level == 0]
    # A 大項目 連合 does not have comes after its own, before その他.
    assert labels == [
        "雇用関係",
        "賃金関係",
        "労働時間関係",
        "差別等",
        "労働契約関係",
        "新しい大項目",
        "その他",
        "合計",
    ]
    assert major(table, "新しい大項目") == 1
    assert major(table, "その他") == 1


@pytest.fixture
def fy_2025(center, other_center):
    heard_in_fy_2025(center, other_center)


def heard_in_fy_2025(center, other_center):
    """Fiscal year 2025 at 金沢, with its edges in Tokyo time.

    main topic (+ others)  民事 内訳                          apart        employment
    a W1-01 (+02)          解雇, 雇止め                       -            regular
    b W1-06 (+09)          その他の労働条件 (once)             -            part_time
    c W1-10 (+11)          -                                  法違反 (once) arbeit
    d W1-15                いじめ・嫌がらせ                   推進法       dispatched
    e W1-13 (+16)          その他の労働条件                   法違反, 均等法 fixed_term
    f W1-21 (+L3-01)       雇用管理等                         -            (unknown)
    g W1-03 (not 連合)     退職勧奨                           -            shokutaku
    h L2-01                -                                  -            regular
    """
    consultation(center, at(2026, 3, 31, 23, 59), ["W1-01", "W1-02"], employment_type="regular")
    consultation(center, at(2025, 4, 1, 0, 0), ["W1-06", "W1-09"], employment_type="part_time")
    consultation(center, at(2025, 5, 1, 10, 0), ["W1-10", "W1-11"], employment_type="arbeit")
    consultation(center, at(2025, 6, 1, 10, 0), ["W1-15"], employment_type="dispatched")
    consultation(center, at(2025, 7, 1, 10, 0), ["W1-13", "W1-16"], employment_type="fixed_term")
    consultation(center, at(2025, 8, 1, 10, 0), ["W1-21", "L3-01"], employment_type="")
    consultation(
        center,
        at(2025, 9, 1, 10, 0),
        ["W1-03"],
        employment_type="shokutaku",
        counts_for_rengo=False,
    )
    consultation(center, at(2025, 10, 1, 10, 0), ["L2-01"], employment_type="regular")
    # Just outside the year, and at the other centre.
    consultation(center, at(2026, 4, 1, 0, 0), ["W1-01"], employment_type="regular")
    consultation(center, at(2025, 3, 31, 23, 59), ["W1-01"], employment_type="regular")
    consultation(other_center, at(2025, 6, 1, 10, 0), ["W1-01"], employment_type="regular")


def test_mhlw_counts_every_category_marked_once_each(fy_2025, center):
    table = rollups.mhlw_civil_disputes(Scope(FY2025, center))
    assert [column.label for column in table.columns] == [
        "正社員",
        _("Part-time or casual"),
        _("Agency worker"),
        _("Fixed-term contract worker"),
        _("Other or unknown"),
        "合計",
        "構成比",
    ]
    assert [(row.label, row.values[:6]) for row in table.rows] == [
        ("解雇", [1, 0, 0, 0, 0, 1]),
        ("雇止め", [1, 0, 0, 0, 0, 1]),
        ("退職勧奨", [0, 0, 0, 1, 0, 1]),
        ("採用内定取消", [0, 0, 0, 0, 0, 0]),
        ("自己都合退職", [0, 0, 0, 0, 0, 0]),
        ("出向・配置転換", [0, 0, 0, 0, 0, 0]),
        ("労働条件の引下げ", [0, 0, 0, 0, 0, 0]),
        # b's W1-06 and W1-09 are both その他の労働条件: b counts once in it.
        ("その他の労働条件", [0, 1, 0, 1, 0, 2]),
        ("いじめ・嫌がらせ", [0, 0, 1, 0, 0, 1]),
        ("雇用管理等", [0, 0, 0, 0, 1, 1]),
        ("募集・採用", [0, 0, 0, 0, 0, 0]),
        ("その他", [0, 0, 0, 0, 0, 0]),
        (_("Total (counted for every category)"), [2, 1, 1, 2, 1, 7]),
        (_("Consultations (counted once each)"), [1, 1, 1, 2, 1, 6]),
    ]
    assert table.rows[-2].is_total
    assert table.rows[-1].level == 1
    assert table.value("その他の労働条件", 6) == 28.6


def test_mhlw_counts_apart_what_it_counts_under_other_laws(fy_2025, center):
    table = rollups.mhlw_counted_apart(Scope(FY2025, center))
    assert [(row.label, row.values) for row in table.rows] == [
        # c's two unpaid-wage topics count once.
        ("法違反", [0, 1, 0, 1, 0, 2]),
        ("推進法", [0, 0, 1, 0, 0, 1]),
        ("均等法", [0, 0, 0, 1, 0, 1]),
        ("均等法・育介法", [0, 0, 0, 0, 0, 0]),
    ]


def test_mhlw_counts_the_fiscal_year_in_tokyo_time(center):
    consultation(center, at(2026, 3, 31, 23, 59), ["W1-01"], employment_type="regular")
    consultation(center, at(2026, 4, 1, 0, 0), ["W1-02"], employment_type="regular")
    fy2025 = rollups.mhlw_civil_disputes(Scope(FY2025, center))
    fy2026 = rollups.mhlw_civil_disputes(Scope(Period(Period.FISCAL_YEAR, 2026), center))
    assert (fy2025.value("解雇"), fy2025.value("雇止め")) == (1, 0)
    assert (fy2026.value("解雇"), fy2026.value("雇止め")) == (0, 1)


def test_mhlw_for_every_centre(fy_2025):
    table = rollups.mhlw_civil_disputes(Scope(FY2025))
    assert table.value("解雇", 5) == 2
    assert table.value(_("Consultations (counted once each)"), 5) == 7


def test_lsc_field_shares_count_each_consultation_once(year_2025, center):
    table = rollups.lsc_field_shares(Scope(YEAR_2025, center))
    # All sixteen at 金沢 in 2025, the one not for 連合 too; the one without a main
    # concern under その他.
    assert column(table) == [
        ("労働相談", 14),
        ("生活・法律", 0),
        ("金融・多重債務", 1),
        ("福祉・介護", 0),
        ("その他", 1),
        ("合計", 16),
    ]
    assert table.value("労働相談", 1) == 87.5
    assert table.value("合計", 1) == 100.0


def test_lsc_field_shares_of_one_field(year_2025, center):
    w1 = Category.objects.get(code="W1")
    table = rollups.lsc_field_shares(Scope(YEAR_2025, center, w1))
    assert table.value("労働相談") == 14
    assert table.value("金融・多重債務") == 0
    assert table.value("合計") == 15


def test_every_employment_type_is_in_one_group_of_each_layout():
    for groups in (rollups.RENGO_EMPLOYMENT, rollups.MHLW_EMPLOYMENT):
        grouped = [value for _label, values in groups for value in values]
        assert sorted(grouped) == sorted(EmploymentType.values)


@pytest.mark.django_db
def test_the_topics_map_onto_the_published_lists():
    """Every mapping value of the taxonomy is a row the tables know, so nothing lands
    among the extras by a typo."""
    topics = Topic.objects.all()
    assert {t.rengo_category for t in topics} <= set(rollups.RENGO_CATEGORIES)
    assert {t.mhlw_category for t in topics} - {""} <= set(rollups.MHLW_CATEGORIES)
    assert {t.lsc_field for t in topics} <= set(rollups.LSC_FIELDS)


def test_rollups_lists_every_table_by_its_slug(year_2025, center):
    scope = Scope(YEAR_2025, center)
    for slug, build in rollups.ROLLUPS.items():
        assert build(scope).slug == slug
