"""What a viewer (閲覧) sees of the roll-ups: every count under 3 hidden, and no hidden
count that can be worked out from what the page shows.

A viewer knows each table's sums (parts to the total, 小項目 to their 大項目, a row
across to its total), that a 「3未満」 is 0–2 and a 「秘匿」 at least 3, and that the 連合
cross tables repeat the 大項目 counts in their total row. The sums are written here from
what the tables mean, not read from reports.tables, so the check does not take the
suppression's own view of them on trust.
"""

import datetime
import math
import zoneinfo
from collections import defaultdict
from fractions import Fraction

import pytest

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import CaseFactory, ConsultationFactory
from reports import rollups
from reports.periods import Period
from reports.statistics import Scope
from reports.tables import COUNT, SMALL, UNDER_THREE, WITHHELD, Column, Row, Table

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
YEAR_2025 = Period(Period.YEAR, 2025)
FY2025 = Period(Period.FISCAL_YEAR, 2025)
UNBOUNDED = 10**9


def true_sums(table):
    """[(parts, total)] of (row, column) cells that add up in a roll-up table."""
    counts = [j for j, column in enumerate(table.columns) if column.kind == COUNT]
    totals = [i for i, row in enumerate(table.rows) if row.is_total]
    sums = []
    if totals:
        parts = [i for i, row in enumerate(table.rows) if row.level == 0 and not row.is_total]
        sums += [([(i, j) for i in parts], (totals[0], j)) for j in counts]
    parent, children = None, defaultdict(list)
    for i, row in enumerate(table.rows):
        if row.is_total:
            # A line under the total (MHLW's 実件数) adds up to nothing.
            parent = None
        elif row.level == 0:
            parent = i
        elif parent is not None:
            children[parent].append(i)
    for parent, rows in children.items():
        sums += [([(i, j) for i in rows], (parent, j)) for j in counts]
    if table.sums_across:
        sums += [([(i, j) for j in counts[:-1]], (i, counts[-1])) for i in range(len(table.rows))]
    return sums


def rengo_links(shown):
    """Pairs of cells holding the same count: each 大項目 of the 連合 table and its
    column in every cross table's total row; the totals likewise."""
    by_item = shown[0][0]
    majors = {row.label: i for i, row in enumerate(by_item.rows) if row.level == 0}
    links = []
    for t, (cross, _rows, _chart) in enumerate(shown[1:], start=1):
        total_row = len(cross.rows) - 1
        for j, column in enumerate(cross.columns[:-2]):
            links.append(((0, majors[column.label], 0), (t, total_row, j)))
        links.append(((0, len(by_item.rows) - 1, 0), (t, total_row, len(cross.columns) - 2)))
    return links


def worked_out(shown, links=()):
    """The hidden cells, as (table, row, column), whose value a viewer can work out.

    Each sum is an equation over the hidden cells (the shown ones are numbers): a cell
    is worked out when the equations fix it (reduced row echelon form, exact), or when
    one equation with the ranges 0–2 and 3 or more leaves it a single value.
    """
    hidden, known, bounds = {}, {}, {}
    for t, (_table, rows, _chart) in enumerate(shown):
        for i, (_row, cells) in enumerate(rows):
            for j, cell in enumerate(cells):
                if cell.kind != COUNT:
                    continue
                if cell.hidden:
                    hidden[(t, i, j)] = len(hidden)
                    under_three = cell.text == str(UNDER_THREE)
                    bounds[(t, i, j)] = (0, SMALL - 1) if under_three else (SMALL, UNBOUNDED)
                else:
                    known[(t, i, j)] = cell.value
    equations = []
    for t, (table, _rows, _chart) in enumerate(shown):
        for parts, total in true_sums(table):
            terms = [(1, (t, *cell)) for cell in parts] + [(-1, (t, *total))]
            equations.append(terms)
    equations += [[(1, a), (-1, b)] for a, b in links]
    found = set()
    reduced = []
    for terms in equations:
        row, constant = defaultdict(Fraction), Fraction(0)
        for sign, cell in terms:
            if cell in hidden:
                row[cell] += sign
            else:
                constant -= sign * known[cell]
        row = {cell: a for cell, a in row.items() if a}
        if not row:
            continue
        reduced.append((row, constant))
        found |= narrowed(row, constant, bounds)
    return found | fixed_by_elimination(reduced)


def narrowed(row, constant, bounds):
    """Cells one equation (sum of a·x = constant) leaves a single value, given ranges."""
    found = set()
    for cell, a in row.items():
        low = high = Fraction(0)
        for other, b in row.items():
            if other != cell:
                ends = [b * bounds[other][0], b * bounds[other][1]]
                low, high = low + min(ends), high + max(ends)
        # a·x = constant − rest, with the rest between low and high.
        ends = sorted([(constant - high) / a, (constant - low) / a])
        first = max(bounds[cell][0], math.ceil(ends[0]))
        last = min(bounds[cell][1], math.floor(ends[1]))
        if first == last:
            found.add(cell)
    return found


def fixed_by_elimination(equations):
    pivots = {}
    for row, constant in equations:
        row = dict(row)
        for column, (pivot_row, _c) in pivots.items():
            if column in row:
                factor = row[column]
                for k, v in pivot_row.items():
                    row[k] = row.get(k, 0) - factor * v
                row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        column = min(row)
        lead = row[column]
        row = {k: v / lead for k, v in row.items()}
        for other, (pivot_row, c) in list(pivots.items()):
            if column in pivot_row:
                factor = pivot_row[column]
                merged = dict(pivot_row)
                for k, v in row.items():
                    merged[k] = merged.get(k, 0) - factor * v
                pivots[other] = ({k: v for k, v in merged.items() if v}, c)
        pivots[column] = (row, constant)
    return {column for column, (row, _c) in pivots.items() if len(row) == 1}


def viewer_sees(tables):
    return [(table, table.display_rows(suppress=True), None) for table in tables]


def assert_small_counts_hidden(shown):
    for table, rows, _chart in shown:
        for row, cells in rows:
            for cell in cells:
                if cell.kind == COUNT and not cell.hidden:
                    assert cell.value >= SMALL, (table.slug, row.label)


# The checker itself


def hide(shown, cell, text):
    t, i, j = cell
    shown[t][1][i][1][j].hidden = True
    shown[t][1][i][1][j].text = str(text)


def test_the_checker_finds_a_count_left_to_subtraction_or_to_another_table():
    table = Table(
        "a", "a", "x", [Column("n")], [Row("p", [4]), Row("q", [6]), Row("計", [10], True)]
    )
    shown = viewer_sees([table, table])
    assert worked_out(shown) == set()
    hide(shown, (0, 0, 0), WITHHELD)
    hide(shown, (0, 1, 0), WITHHELD)
    assert worked_out(shown) == set()
    # The second table shows the same q.
    assert worked_out(shown, [((0, 1, 0), (1, 1, 0))]) == {(0, 0, 0), (0, 1, 0)}
    hide(shown, (1, 0, 0), WITHHELD)
    assert worked_out(shown) == {(1, 0, 0)}


def test_the_checker_uses_the_ranges_of_under_three_and_withheld():
    table = Table(
        "a", "a", "x", [Column("n")], [Row("p", [2]), Row("q", [2]), Row("計", [4], True)]
    )
    shown = [(table, table.display_rows(suppress=False), None)]
    hide(shown, (0, 0, 0), UNDER_THREE)
    hide(shown, (0, 1, 0), UNDER_THREE)
    # Two counts of 0–2 making 4 are both 2.
    assert worked_out(shown) == {(0, 0, 0), (0, 1, 0)}
    hide(shown, (0, 2, 0), UNDER_THREE)
    assert worked_out(shown) == set()


# The roll-ups


def at(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def busy_year(center):
    """2025 at 金沢 (also fiscal 2025 from April): enough for some counts to show, and
    small ones among them.

    topics        n  gender          age  employment   industry
    W1-01         7  male            45   regular      E
    W1-01, W1-02  5  female          33   fixed_term   P
    W1-10, W1-11  6  male (4), - (2) 28   arbeit       I
    W1-14         4  female          24   part_time    M
    W1-15         2  female          41   regular      P
    W1-16         1  female          29   dispatched   P
    W1-09         6  male            55   regular      E
    L2-01         1  -               -    -            -
    """
    case = CaseFactory(center=center)
    groups = [
        (7, ["W1-01"], "male", 45, "regular", "E"),
        (5, ["W1-01", "W1-02"], "female", 33, "fixed_term", "P"),
        (4, ["W1-10", "W1-11"], "male", 28, "arbeit", "I"),
        (2, ["W1-10", "W1-11"], "", 28, "arbeit", "I"),
        (4, ["W1-14"], "female", 24, "part_time", "M"),
        (2, ["W1-15"], "female", 41, "regular", "P"),
        (1, ["W1-16"], "female", 29, "dispatched", "P"),
        (6, ["W1-09"], "male", 55, "regular", "E"),
        (1, ["L2-01"], "", None, "", ""),
    ]
    day = 0
    for n, topics, gender, age, employment_type, industry in groups:
        for _ in range(n):
            day += 1
            ConsultationFactory(
                case=case,
                received_at=at(2025, 4, 1, 10, 0) + datetime.timedelta(days=day),
                topics=topics,
                gender=gender,
                age=age,
                employment_type=employment_type,
                industry=industry,
            )


def test_no_hidden_rengo_count_can_be_worked_out_across_its_tables(busy_year, center):
    shown = viewer_sees(rollups.rengo_tables(Scope(YEAR_2025, center)))
    assert_small_counts_hidden(shown)
    assert worked_out(shown, rengo_links(shown)) == set()
    by_item = {row.label: cells[0].text for row, cells in shown[0][1] if row.level == 0}
    assert by_item["合計"] == "32"
    assert by_item["差別等"] in (str(UNDER_THREE), str(WITHHELD))


def test_the_rengo_tables_hide_a_repeated_count_alike(busy_year, center):
    shown = viewer_sees(rollups.rengo_tables(Scope(YEAR_2025, center)))
    for (t_a, i_a, j_a), (t_b, i_b, j_b) in rengo_links(shown):
        cell_a = shown[t_a][1][i_a][1][j_a]
        cell_b = shown[t_b][1][i_b][1][j_b]
        assert cell_a.text == cell_b.text


@pytest.mark.parametrize("category", [None, "W1"])
def test_no_hidden_mhlw_or_field_count_can_be_worked_out(busy_year, center, category):
    from network.models import Category

    field = Category.objects.get(code=category) if category else None
    for period, tables in [
        (FY2025, [rollups.mhlw_civil_disputes, rollups.mhlw_counted_apart]),
        (YEAR_2025, [rollups.lsc_field_shares]),
    ]:
        shown = viewer_sees([build(Scope(period, center, field)) for build in tables])
        assert_small_counts_hidden(shown)
        assert worked_out(shown) == set()


def test_a_viewer_page_shows_under_three_and_gives_nothing_away(client, busy_year):
    viewer = UserFactory(center=None, roles=[Role.VIEWER])
    client.force_login(viewer)
    response = client.get("/reports/rengo/", {"year": 2025, "center": "all"})
    page = response.content.decode()
    assert str(UNDER_THREE) in page
    shown = response.context["tables"]
    assert_small_counts_hidden(shown)
    assert worked_out(shown, rengo_links(shown)) == set()
    for url in ("/reports/mhlw/", "/reports/fields/"):
        response = client.get(url, {"year": 2025, "center": "all"})
        shown = response.context["tables"]
        assert str(UNDER_THREE) in response.content.decode()
        assert_small_counts_hidden(shown)
        assert worked_out(shown) == set()
