"""The centre's consultations rolled up into the layouts others publish, through the
mappings each topic carries (network.Topic):

- 連合 (calendar year): each consultation counted once, by the 大項目 and 小項目 of its
  main concern (主訴), and by gender, age band, employment type and industry;
- 厚生労働省 民事 (fiscal year): MHLW's 12 categories of civil labour disputes, counted 延べ
  (a consultation counts once under every category its topics fall in), by MHLW's
  employment types, with the topics MHLW counts apart (法違反, 推進法, 均等法 …) below;
- LSC field shares: consultations by the field LSCs publish (佐賀, 福井).

Each table is one aggregate query in SQL; what loops in Python is over the groups it
returns. The mappings' values are the taxonomy's own Japanese words, so they are shown
as they are, like topic names.
"""

from collections import defaultdict

from django.db.models import Count, FilteredRelation, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import EmploymentType, Gender, Industry
from network.models import Topic

from .statistics import age_band, age_band_labels, one_column_table
from .tables import PERCENT, Column, Row, Table, hide_together, share

# The taxonomy's word for "the rest" in every mapping column.
OTHER = "その他"

# 連合's 大項目 in the order it publishes them (domain-ja §(b), roll-up rules).
RENGO_CATEGORIES = ["雇用関係", "賃金関係", "労働時間関係", "差別等", "労働契約関係", OTHER]

# MHLW's 12 内訳 of civil labour disputes, in its order (domain-ja S-B1).
MHLW_CATEGORIES = [
    "解雇",
    "雇止め",
    "退職勧奨",
    "採用内定取消",
    "自己都合退職",
    "出向・配置転換",
    "労働条件の引下げ",
    "その他の労働条件",
    "いじめ・嫌がらせ",
    "雇用管理等",
    "募集・採用",
    OTHER,
]

# The fields LSCs publish their shares by (佐賀, 福井; domain-ja §(e) 13).
LSC_FIELDS = ["労働相談", "生活・法律", "金融・多重債務", "福祉・介護", OTHER]

E = EmploymentType
# 連合's 雇用形態 (domain-ja §(c)): 正社員 and the kinds of 非正規 it names; people looking
# for work or out of it go under その他, as 連合 counts them. Public servants hold regular
# posts, so they count as 正社員 here and in MHLW's grouping.
RENGO_EMPLOYMENT = [
    (gettext_lazy("Regular employee"), [E.REGULAR, E.PUBLIC]),
    (gettext_lazy("Part-time or casual"), [E.PART_TIME, E.ARBEIT]),
    (gettext_lazy("Contract, agency or re-employed"), [E.FIXED_TERM, E.DISPATCHED, E.SHOKUTAKU]),
    (
        gettext_lazy("Other"),
        [
            E.FREELANCE,
            E.SELF_EMPLOYED,
            E.JOB_SEEKING,
            E.ON_LEAVE,
            E.PENSIONER,
            E.STUDENT,
            E.NOT_WORKING,
        ],
    ),
    (gettext_lazy("Unknown"), [E.UNKNOWN]),
]

# MHLW's 就労形態 (domain-ja S-B1); 嘱託 are re-employed on fixed terms.
MHLW_EMPLOYMENT = [
    (gettext_lazy("Regular employee"), [E.REGULAR, E.PUBLIC]),
    (gettext_lazy("Part-time or casual"), [E.PART_TIME, E.ARBEIT]),
    (gettext_lazy("Agency worker"), [E.DISPATCHED]),
    (gettext_lazy("Fixed-term contract worker"), [E.FIXED_TERM, E.SHOKUTAKU]),
    (
        gettext_lazy("Other or unknown"),
        [
            E.FREELANCE,
            E.SELF_EMPLOYED,
            E.JOB_SEEKING,
            E.ON_LEAVE,
            E.PENSIONER,
            E.STUDENT,
            E.NOT_WORKING,
            E.UNKNOWN,
        ],
    ),
]

RENGO_CATEGORY = "main__topic__rengo_category"
RENGO_ITEM = "main__topic__rengo_item"


def in_order(known, found):
    """The values of `known` in its order, then any other value `found`, 「その他」 last."""
    extras = [value for value in found if value not in known and value != OTHER]
    return [value for value in known if value != OTHER] + extras + [OTHER]


def employment_group(groups):
    """{stored employment type: position of its group in `groups`}."""
    return {value: k for k, (_label, values) in enumerate(groups) for value in values}


def with_main_topic(consultations):
    """The consultations with `main`, the link to their main concern (主訴), joined so
    that a consultation without one stays in (with nulls)."""
    return consultations.annotate(
        main=FilteredRelation("topic_links", condition=Q(topic_links__is_main=True))
    )


# 連合 (calendar year)


def rengo_headings():
    """{大項目: [小項目, …]} in 連合's order, 小項目 in topic order and 「その他」 last.

    A topic without a 大項目 counts under その他, one without a 小項目 under its 大項目's
    その他; consultations without a main concern count under その他 / その他.
    """
    items = defaultdict(list)
    for category, item in Topic.objects.values_list("rengo_category", "rengo_item"):
        found = items[category or OTHER]
        if (item or OTHER) not in found:
            found.append(item or OTHER)
    if OTHER not in items[OTHER]:
        items[OTHER].append(OTHER)
    return {
        category: sorted(items[category], key=lambda item: item == OTHER)
        for category in in_order(RENGO_CATEGORIES, items)
    }


def _rengo_consultations(scope):
    return with_main_topic(scope.consultations().filter(counts_for_rengo=True))


def rengo_by_item(consultations, headings):
    """Consultations by 大項目, with their 小項目 indented beneath."""
    counts = defaultdict(int)
    for category, item, n in (
        consultations.values_list(RENGO_CATEGORY, RENGO_ITEM)
        .annotate(n=Count("pk"))
        .values_list(RENGO_CATEGORY, RENGO_ITEM, "n")
    ):
        counts[(category or OTHER, item or OTHER)] += n
    total = sum(counts.values())
    rows = []
    for category, items in headings.items():
        in_category = sum(counts[(category, item)] for item in items)
        rows.append(Row(category, [in_category, share(in_category, total)]))
        # A lone その他 would only repeat its 大項目.
        if items == [OTHER]:
            continue
        for item in items:
            rows.append(
                Row(
                    item,
                    [counts[(category, item)], share(counts[(category, item)], total)],
                    level=1,
                )
            )
    rows.append(Row(_("Total"), [total, share(total, total)], is_total=True))
    return Table(
        slug="rengo",
        title=_("Consultations by Rengo category and item"),
        label_header=_("Rengo category and item"),
        columns=[Column(_("Number of consultations")), Column(_("Share"), PERCENT)],
        rows=rows,
        chart="bar",
        note=_(
            "Each consultation counts once, under its main concern. Consultations without "
            "a main concern count under その他."
        ),
    )


def rengo_cross(
    consultations, headings, *, slug, title, label_header, field, labels, key=None, note=""
):
    """Consultations by `field` (rows, in the order of `labels`) and 大項目 (columns).

    `key` turns a stored value into the label's value (an employment type into its
    group); the rows' totals are the last count column, the 大項目 totals the last row.
    """
    counts = defaultdict(int)
    for category, value, n in (
        consultations.values_list(RENGO_CATEGORY, field)
        .annotate(n=Count("pk"))
        .values_list(RENGO_CATEGORY, field, "n")
    ):
        counts[(category or OTHER, key(value) if key else value)] += n
    categories = list(headings)
    by_row = [[counts[(category, value)] for category in categories] for value, _label in labels]
    grand_total = sum(sum(cells) for cells in by_row)
    rows = [
        Row(str(label), [*cells, sum(cells), share(sum(cells), grand_total)])
        for (_value, label), cells in zip(labels, by_row, strict=True)
    ]
    column_totals = [sum(column) for column in zip(*by_row, strict=True)]
    rows.append(
        Row(
            _("Total"),
            [*column_totals, grand_total, share(grand_total, grand_total)],
            is_total=True,
        )
    )
    return Table(
        slug=slug,
        title=title,
        label_header=label_header,
        columns=[
            *(Column(category) for category in categories),
            Column(_("Total")),
            Column(_("Share"), PERCENT),
        ],
        rows=rows,
        sums_across=True,
        note=note,
    )


def _unknown_last(choices):
    return [choice for choice in choices if choice[0]] + [c for c in choices if not c[0]]


def rengo_tables(scope):
    """The 連合 page's tables: by 大項目 and 小項目, then by gender, age band, employment
    type and industry against the 大項目, hidden counts kept alike across them."""
    headings = rengo_headings()
    consultations = _rengo_consultations(scope)
    by_item = rengo_by_item(consultations, headings)
    groups = employment_group(RENGO_EMPLOYMENT)
    crosses = [
        rengo_cross(
            consultations,
            headings,
            slug="rengo-by-gender",
            title=_("By gender and Rengo category"),
            label_header=_("Gender"),
            field="gender",
            labels=_unknown_last(Gender.choices),
        ),
        rengo_cross(
            consultations.annotate(band=age_band()),
            headings,
            slug="rengo-by-age-band",
            title=_("By age band and Rengo category"),
            label_header=_("Age band"),
            field="band",
            labels=age_band_labels(),
        ),
        rengo_cross(
            consultations,
            headings,
            slug="rengo-by-employment-type",
            title=_("By employment type and Rengo category"),
            label_header=_("Employment type"),
            field="employment_type",
            labels=[(k, label) for k, (label, _values) in enumerate(RENGO_EMPLOYMENT)],
            key=groups.__getitem__,
            note=_(
                "Public servants count as regular employees. Freelancers, the self-employed "
                "and people looking for work or not working count under Other, as Rengo "
                "counts them."
            ),
        ),
        rengo_cross(
            consultations,
            headings,
            slug="rengo-by-industry",
            title=_("By industry and Rengo category"),
            label_header=_("Industry"),
            field="industry",
            labels=_unknown_last(Industry.choices),
        ),
    ]
    # The 大項目 counts and the total are each cross table's total row.
    category_rows = [i for i, row in enumerate(by_item.rows) if row.level == 0]
    links = []
    for cross in crosses:
        total_row = len(cross.rows) - 1
        links += [((by_item, (i, 0)), (cross, (total_row, j))) for j, i in enumerate(category_rows)]
    hide_together(links)
    return [by_item, *crosses]


def _one_of(tables, slug):
    def build(scope):
        return next(table for table in tables(scope) if table.slug == slug)

    return build


# 厚生労働省 民事 (fiscal year)


def _distinct_consultations(links, field, groups):
    """{(value of `field`, employment group): consultations}, each consultation once per
    value however many of its topics have it."""
    group_of = employment_group(groups)
    counts = defaultdict(int)
    fields = (
        [field, "consultation__employment_type"] if field else ["consultation__employment_type"]
    )
    for *values, employment_type, n in (
        links.values_list(*fields)
        .annotate(n=Count("consultation", distinct=True))
        .values_list(*fields, "n")
    ):
        counts[(*values, group_of[employment_type])] += n
    return counts


def _employment_columns(groups, *, with_share):
    columns = [Column(label) for label, _values in groups] + [Column(_("Total"))]
    return [*columns, Column(_("Share"), PERCENT)] if with_share else columns


def _mapped_topics(column):
    """The ids of the topics with a value in `column`, as literals: through the topic
    table's columns the planner cannot see that these few topics hold a third of all
    topic links, and at a million consultations chose a nested loop over every link
    (1.8 s for a fiscal year of all centres on PostgreSQL)."""
    return list(Topic.objects.exclude(**{column: ""}).values_list("pk", flat=True))


def _mhlw_links(scope, column):
    """The period's topics MHLW counts under `column`. The counts join each topic's
    consultation for its employment type: with the period said on that side too, the
    planner reads that period's consultations instead of all of them."""
    start, end = scope.period.datetimes()
    return scope.topic_links().filter(
        topic__in=_mapped_topics(column),
        consultation__received_at__gte=start,
        consultation__received_at__lt=end,
    )


def mhlw_civil_disputes(scope):
    """MHLW's 12 categories by its employment types, 延べ, and the consultations (実件数)."""
    links = _mhlw_links(scope, "mhlw_category")
    counts = _distinct_consultations(links, "topic__mhlw_category", MHLW_EMPLOYMENT)
    consultations = _distinct_consultations(links, None, MHLW_EMPLOYMENT)
    groups = range(len(MHLW_EMPLOYMENT))
    categories = in_order(MHLW_CATEGORIES, {category for category, _group in counts})
    by_row = [[counts[(category, g)] for g in groups] for category in categories]
    marked = sum(sum(cells) for cells in by_row)
    rows = [
        Row(category, [*cells, sum(cells), share(sum(cells), marked)])
        for category, cells in zip(categories, by_row, strict=True)
    ]
    column_totals = [sum(column) for column in zip(*by_row, strict=True)]
    rows.append(
        Row(
            _("Total (counted for every category)"),
            [*column_totals, marked, share(marked, marked)],
            is_total=True,
        )
    )
    # Under the total, as a line of its own, so that the two are not mistaken.
    once = [consultations[(g,)] for g in groups]
    rows.append(Row(_("Consultations (counted once each)"), [*once, sum(once), None], level=1))
    return Table(
        slug="mhlw",
        title=_("Civil labour disputes by category and employment type"),
        label_header=_("MHLW category"),
        columns=_employment_columns(MHLW_EMPLOYMENT, with_share=True),
        rows=rows,
        sums_across=True,
        note=_(
            "Counted for every category marked (延べ): a consultation about dismissal and "
            "non-renewal counts under both, so the total is more than the number of "
            "consultations (実件数), the last line. Two topics of one category count once. "
            "Public servants count as regular employees, re-employed shokutaku as "
            "fixed-term contract workers."
        ),
    )


def mhlw_counted_apart(scope):
    """The topics MHLW counts outside civil disputes, one line for each law."""
    lines = list(
        dict.fromkeys(
            Topic.objects.exclude(mhlw_separate_count="").values_list(
                "mhlw_separate_count", flat=True
            )
        )
    )
    links = _mhlw_links(scope, "mhlw_separate_count")
    counts = _distinct_consultations(links, "topic__mhlw_separate_count", MHLW_EMPLOYMENT)
    lines += [line for line, _group in counts if line not in lines]
    groups = range(len(MHLW_EMPLOYMENT))
    rows = []
    for line in lines:
        cells = [counts[(line, g)] for g in groups]
        rows.append(Row(line, [*cells, sum(cells)]))
    return Table(
        slug="mhlw-counted-apart",
        title=_("Consultations MHLW counts apart from civil disputes"),
        label_header=_("Counted under"),
        columns=_employment_columns(MHLW_EMPLOYMENT, with_share=False),
        rows=rows,
        sums_across=True,
        note=_(
            "法違反: suspected breaches of the Labour Standards Act and other laws. 推進法, "
            "均等法 and 育介法: power harassment, sexual harassment and maternity or care "
            "leave, which MHLW counts under those laws. Each line counts a consultation once; "
            "a consultation may be on several lines and in the table above too."
        ),
    )


# LSC field shares (any period)


def lsc_field_shares(scope):
    """Consultations by the LSC field of their main concern, with shares."""
    counts = defaultdict(int)
    for lsc_field, n in (
        with_main_topic(scope.consultations())
        .values_list("main__topic__lsc_field")
        .annotate(n=Count("pk"))
        .values_list("main__topic__lsc_field", "n")
    ):
        counts[lsc_field or OTHER] += n
    labels = [(name, name) for name in in_order(LSC_FIELDS, counts)]
    return one_column_table(
        "lsc-fields",
        _("Consultations by field, as LSCs publish them"),
        _("Field"),
        dict(counts),
        labels,
        chart="doughnut",
        note=_(
            "Each consultation counts once, under the field of its main concern; those "
            "without a main concern count under その他."
        ),
    )


# Every roll-up table in page order, by the slug its Table carries (and the export URLs
# use). The 連合 tables are built together, so that they hide the same counts.
ROLLUPS = {
    "rengo": _one_of(rengo_tables, "rengo"),
    "rengo-by-gender": _one_of(rengo_tables, "rengo-by-gender"),
    "rengo-by-age-band": _one_of(rengo_tables, "rengo-by-age-band"),
    "rengo-by-employment-type": _one_of(rengo_tables, "rengo-by-employment-type"),
    "rengo-by-industry": _one_of(rengo_tables, "rengo-by-industry"),
    "mhlw": mhlw_civil_disputes,
    "mhlw-counted-apart": mhlw_counted_apart,
    "lsc-fields": lsc_field_shares,
}
