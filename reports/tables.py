"""A statistics table as the page, the charts and the exports all show it, and the
hiding of small counts (小さい数の秘匿) for those who may see aggregates only.

A table is rows of numbers under columns, usually with a total row; each count column
adds up to its total, and in a cross table the last count column is each row's total.
Viewers (閲覧) see every count under 3 as 「3未満」. So that no total gives such a count
back by subtraction, each sum with a hidden count also hides a second one (「秘匿」),
chosen so that the hidden part of the sum holds a count of at least 5: then any
hidden count could be one more or one less with that count making up the difference.
In a cross table the row and column sums together can still pin a count down, so an
exact check then withholds more until none follows from them. Shares are hidden on any
row with a hidden count, as they would give it back too, and everywhere when the total
is withheld; amounts in yen on a row with a hidden count, and then their total too.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

COUNT = "count"
PERCENT = "percent"
YEN = "yen"

SMALL = 3
# A sum's hidden counts must include one this large, to absorb any change of the others.
ABSORBING = SMALL + 2

UNDER_THREE = _("under 3")
WITHHELD = _("withheld")


@dataclass
class Column:
    label: str
    kind: str = COUNT


@dataclass
class Row:
    label: str
    values: list
    is_total: bool = False
    # Indentation in a two-level table (連合's 小項目 under their 大項目).
    level: int = 0
    code: str = ""


@dataclass
class Cell:
    value: object
    text: str
    hidden: bool = False
    kind: str = COUNT


@dataclass
class Table:
    slug: str
    title: str
    label_header: str
    columns: list
    rows: list = field(default_factory=list)
    note: str = ""
    # The last count column is the sum of the other count columns in each row.
    sums_across: bool = False
    # "bar", "line" or "doughnut": how the page draws it; "" for a table alone.
    chart: str = ""
    # False for a short table that fits half the page's width beside another.
    wide: bool = True
    # Counts hidden because another table of the page shows the same number hidden
    # (see hide_together).
    hidden_elsewhere: set = field(default_factory=set)

    def count_columns(self):
        return [j for j, column in enumerate(self.columns) if column.kind == COUNT]

    def value(self, label, column=0):
        """The number in the row with this label; for tests and checks."""
        for row in self.rows:
            if row.label == label:
                return row.values[column]
        raise KeyError(label)

    def hidden_cells(self):
        """(row, column) of every count a viewer must not see, under 3 or withheld."""
        counts = self.count_columns()
        value = {(i, j): row.values[j] or 0 for i, row in enumerate(self.rows) for j in counts}
        # Read as 0, a count hidden elsewhere is hidden here and never taken for the
        # count that absorbs a change of the others: more may be withheld, never less.
        value.update(dict.fromkeys(self.hidden_elsewhere, 0))
        hidden = {cell for cell, number in value.items() if number < SMALL}
        sums = self._sums(counts)
        while hidden:
            self._protect_each_sum(hidden, sums, value)
            given_away = _given_away(hidden, sums)
            if not given_away:
                break
            # In a cross table the row and column sums together can still pin a hidden
            # count down; withhold one more count on a sum through it and look again.
            cell = min(given_away)
            near = [c for cells in sums if cell in cells for c in cells if c not in hidden]
            if not near:
                near = [c for cells in sums for c in cells if c not in hidden]
            if not near:
                break
            hidden.add(min(near, key=lambda c: self._withholding_order(c, value)))
        return hidden

    def _protect_each_sum(self, hidden, sums, value):
        """Until every sum with a hidden count also hides one of 5 or more beside it."""
        changed = True
        while changed:
            changed = False
            for cells in sums:
                shown = [cell for cell in cells if cell not in hidden]
                if len(shown) in (0, len(cells)):
                    continue
                hidden_part = [cell for cell in cells if cell in hidden]
                if len(hidden_part) >= 2 and max(value[c] for c in hidden_part) >= ABSORBING:
                    continue
                hidden.add(min(shown, key=lambda c: self._withholding_order(c, value)))
                changed = True

    def _withholding_order(self, cell, value):
        """Prefer a part to a total (other tables show the same total), then the
        smallest count that can absorb the difference, so that little is withheld."""
        return (self._is_sum(cell), value[cell] < ABSORBING, value[cell], cell)

    def _sums(self, counts):
        """Each group of cells whose values add up to one of them, the total last."""
        sums = []
        total_rows = [i for i, row in enumerate(self.rows) if row.is_total]
        if total_rows:
            parts = [i for i, row in enumerate(self.rows) if not row.is_total and row.level == 0]
            for j in counts:
                sums.append([(i, j) for i in parts] + [(total_rows[-1], j)])
            # 小項目 add up to their 大項目 above them.
            parent = None
            children = {}
            for i, row in enumerate(self.rows):
                if row.is_total:
                    # Rows under a total (MHLW's 実件数) are not its parts.
                    parent = None
                elif row.level == 0:
                    parent = i
                elif parent is not None:
                    children.setdefault(parent, []).append(i)
            for parent, rows in children.items():
                for j in counts:
                    sums.append([(i, j) for i in rows] + [(parent, j)])
        if self.sums_across and len(counts) > 1:
            for i in range(len(self.rows)):
                sums.append([(i, j) for j in counts])
        # A total with no parts (an empty table) is 0 and gives nothing away.
        return [cells for cells in sums if len(cells) > 1]

    def _is_sum(self, cell):
        i, j = cell
        return self.rows[i].is_total or (self.sums_across and j == self.count_columns()[-1])

    def display_rows(self, *, suppress):
        """Rows of Cells with the text to show; with `suppress`, small counts hidden."""
        hidden = self.hidden_cells() if suppress else set()
        under_three = {(i, j) for (i, j) in hidden if (self.rows[i].values[j] or 0) < SMALL}
        rows_with_hidden = {i for i, _j in hidden}
        # A share of a withheld total gives the total back (count / share), so then no
        # share is shown at all.
        total_withheld = any(self.rows[i].is_total for i in rows_with_hidden)
        # An amount beside a hidden count tells the count (amount / fee), and the total
        # amount would give a hidden amount back by subtraction.
        part_hidden = any(not self.rows[i].is_total for i in rows_with_hidden)
        shown_rows = []
        for i, row in enumerate(self.rows):
            derived_hidden = {
                PERCENT: total_withheld or i in rows_with_hidden,
                YEN: i in rows_with_hidden or (row.is_total and part_hidden),
            }
            cells = []
            for j, column in enumerate(self.columns):
                number = row.values[j]
                if (i, j) in under_three:
                    cells.append(Cell(None, str(UNDER_THREE), True, column.kind))
                elif (i, j) in hidden or derived_hidden.get(column.kind, False):
                    cells.append(Cell(None, str(WITHHELD), True, column.kind))
                else:
                    cells.append(
                        Cell(number, format_number(number, column.kind), False, column.kind)
                    )
            shown_rows.append((row, cells))
        return shown_rows


def hide_together(links):
    """Hide a count wherever it is shown once any table holding it hides it.

    `links` pairs (table, cell) with (table, cell) holding the same number, such as the
    year's total in every table of the dashboard: shown in one table, it would give
    another's hidden counts back. Hiding one count may make a table hide others, so go
    round until nothing changes.
    """
    changed = True
    while changed:
        changed = False
        hidden = {}
        for pair in links:
            for table, _cell in pair:
                if id(table) not in hidden:
                    hidden[id(table)] = table.hidden_cells()
        for (table_a, cell_a), (table_b, cell_b) in links:
            a_hidden = cell_a in hidden[id(table_a)]
            b_hidden = cell_b in hidden[id(table_b)]
            if a_hidden and not b_hidden:
                table_b.hidden_elsewhere.add(cell_b)
                changed = True
            elif b_hidden and not a_hidden:
                table_a.hidden_elsewhere.add(cell_a)
                changed = True


def hide_shared_totals(tables):
    """Tables that count the same things by different attributes share their total."""
    totals = [(table, (len(table.rows) - 1, 0)) for table in tables if table.rows[-1].is_total]
    hide_together([(totals[0], other) for other in totals[1:]])


def _given_away(hidden, sums):
    """The hidden cells whose value follows from the visible cells and the sums.

    Each sum is a linear equation; restricted to the hidden cells (the visible ones are
    known numbers) a cell is given away exactly when the reduced row echelon form of the
    equations has a row with that cell alone. Exact arithmetic with Fractions.
    """
    index = {cell: k for k, cell in enumerate(sorted(hidden))}
    cells_of = {k: cell for cell, k in index.items()}
    pivots = {}
    for cells in sums:
        row = {}
        for sign, cell in [(1, c) for c in cells[:-1]] + [(-1, cells[-1])]:
            if cell in index:
                k = index[cell]
                row[k] = row.get(k, 0) + sign
        row = {k: Fraction(v) for k, v in row.items() if v}
        for column, pivot_row in pivots.items():
            if column in row:
                row = _minus(row, pivot_row, row[column])
        if not row:
            continue
        column = min(row)
        row = {k: v / row[column] for k, v in row.items()}
        for other, pivot_row in pivots.items():
            if column in pivot_row:
                pivots[other] = _minus(pivot_row, row, pivot_row[column])
        pivots[column] = row
    return {cells_of[column] for column, row in pivots.items() if len(row) == 1}


def _minus(row, other, factor):
    result = dict(row)
    for k, v in other.items():
        result[k] = result.get(k, 0) - factor * v
    return {k: v for k, v in result.items() if v}


def format_number(number, kind):
    if number is None:
        return "—"
    if kind == PERCENT:
        return f"{number:.1f}%"
    if kind == YEN:
        return f"¥{number:,}"
    return f"{number:,}"


def share(part, whole):
    """part as a percentage of whole, or None where whole is 0."""
    return round(100 * part / whole, 1) if whole else None


def chart_data(table, shown_rows):
    """What the page's chart draws: the first column's shown numbers, totals left out,
    hidden counts as gaps (null), so a chart never shows more than the table."""
    rows = [(row, cells) for row, cells in shown_rows if not row.is_total and row.level == 0]
    return {
        "type": table.chart,
        "label": str(table.columns[0].label),
        "labels": [row.label for row, _cells in rows],
        "values": [cells[0].value for _row, cells in rows],
    }
