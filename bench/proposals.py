"""The speed-ups proposed in bench/README.md, to try on the scratch database before anyone
writes their migrations:

    python bench/proposals.py apply indexes   # three indexes, no code change
    python bench/proposals.py apply links     # the topic links' own date and centre
    python bench/proposals.py undo indexes|links

and, for the query shapes, `bench/measure_reports.py --patch literal-ids --patch links`,
which patches the reports' code in its own process only. Never point this at a database
that holds real work: it alters tables.
"""

import inspect
import os
import sys
import textwrap
from pathlib import Path

INDEXES = [
    # The 連合 and LSC-field pages join each consultation's main concern: with the topic
    # in the index, the join reads the index alone.
    "CREATE INDEX consultation_main_topic ON consultations_consultationtopic "
    "(consultation_id, topic_id) WHERE is_main",
    # The dashboard's fee income is by the day paid.
    "CREATE INDEX payment_paid_on ON members_payment (paid_on, fee_id, amount)",
    # Follow-up timeliness is by the day due.
    "CREATE INDEX followup_due_on ON referrals_followup (due_on, done_on, referral_id)",
]
INDEXES_UNDO = [
    "DROP INDEX IF EXISTS consultation_main_topic",
    "DROP INDEX IF EXISTS payment_paid_on",
    "DROP INDEX IF EXISTS followup_due_on",
]
TABLES = ["consultations_consultationtopic", "members_payment", "referrals_followup"]

# The consultation's date and centre copied onto its topic links, as its case already is,
# so that a period's topics (延べ) are one index range instead of a join over every link.
LINKS = [
    "ALTER TABLE consultations_consultationtopic "
    "ADD COLUMN received_at timestamptz, ADD COLUMN center_id bigint",
    "UPDATE consultations_consultationtopic l SET received_at = c.received_at, "
    "center_id = c.center_id FROM consultations_consultation c WHERE c.id = l.consultation_id",
    "VACUUM FULL consultations_consultationtopic",
    "CREATE INDEX topic_link_at ON consultations_consultationtopic "
    "(received_at, topic_id, is_main)",
    "CREATE INDEX topic_link_center_at ON consultations_consultationtopic "
    "(center_id, received_at, topic_id, is_main)",
]
LINKS_UNDO = [
    "DROP INDEX IF EXISTS topic_link_at",
    "DROP INDEX IF EXISTS topic_link_center_at",
    "ALTER TABLE consultations_consultationtopic "
    "DROP COLUMN IF EXISTS received_at, DROP COLUMN IF EXISTS center_id",
    "VACUUM FULL consultations_consultationtopic",
]
STATEMENTS = {
    ("apply", "indexes"): INDEXES,
    ("undo", "indexes"): INDEXES_UNDO,
    ("apply", "links"): LINKS,
    ("undo", "links"): LINKS_UNDO,
}


def patch_literal_ids():
    """MHLW's tables pick their topics by literal ids, as CaseQuerySet.with_topic does:
    through network_topic's columns the planner cannot see that those few topics hold a
    third of all links, and may choose a nested loop over every one of them."""
    from reports import rollups
    from reports.views import rollups as views

    for name, column in (
        ("mhlw_civil_disputes", "mhlw_category"),
        ("mhlw_counted_apart", "mhlw_separate_count"),
    ):
        old = f'.exclude(topic__{column}="")'
        ids = f'Topic.objects.exclude({column}="").values_list("pk", flat=True)'
        new = f".filter(topic__in=list({ids}))"
        _replace(rollups, name, old, new)
        setattr(views, name, getattr(rollups, name))


def patch_links():
    """Scope.topic_links and the by-field count read the links' own date and centre
    (after `apply links`)."""
    from consultations.models import ConsultationTopic
    from reports import statistics

    def topic_links(self):
        start, end = self.period.datetimes()
        table = ConsultationTopic._meta.db_table
        where = [f"{table}.received_at >= %s", f"{table}.received_at < %s"]
        params = [start, end]
        if self.center:
            where.append(f"{table}.center_id = %s")
            params.append(self.center.pk)
        # extra(): the model has no such fields until someone adds them; params are bound.
        links = ConsultationTopic.objects.extra(where=where, params=params)  # noqa: S610
        if self.category:
            links = links.filter(consultation__in=self.consultations())
        return links.order_by()

    statistics.Scope.topic_links = topic_links
    _replace(
        statistics,
        "consultations_by_field",
        'scope.consultations().filter(topic_links__is_main=True), "topic_links__topic__category"',
        'scope.topic_links().filter(is_main=True), "topic__category"',
    )
    statistics.DASHBOARD["by-field"] = statistics.consultations_by_field


PATCHES = {"literal-ids": patch_literal_ids, "links": patch_links}


def _replace(module, name, old, new):
    """Redefine module.name with `old` replaced by `new` in its source."""
    source = textwrap.dedent(inspect.getsource(getattr(module, name)))
    if old not in source:
        raise SystemExit(f"{module.__name__}.{name} has changed; update bench/proposals.py")
    exec(source.replace(old, new), module.__dict__)  # noqa: S102 (a measuring aid)


def main():
    if len(sys.argv) != 3 or tuple(sys.argv[1:]) not in STATEMENTS:
        raise SystemExit(__doc__)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifesupport.settings")
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in STATEMENTS[tuple(sys.argv[1:])]:
            print(statement[:100])
            cursor.execute(statement)
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


if __name__ == "__main__":
    main()
