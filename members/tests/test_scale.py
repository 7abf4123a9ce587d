"""The member list at 100,000 members: run with MEMBERS_SCALE=1 to print timings.

    MEMBERS_SCALE=1 pytest -s members/tests/test_scale.py

Skipped otherwise (building the register takes a minute). Prints the median of five
requests for each filter; the query count is the same whatever the size.
"""

import datetime
import os
import statistics
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from members.fiscal import fiscal_year_of
from members.models import Fee, Member, MemberNumberCounter, member_number
from members.tests.factories import MembershipTypeFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("MEMBERS_SCALE"), reason="set MEMBERS_SCALE=1 to run"
)
SIZE = 100_000
LIST = reverse("members:member-list")
FILTERS = {
    "no filter": {},
    "status 失効": {"status": "lapsed"},
    "status current": {"status": "current"},
    "in arrears": {"arrears": "yes"},
    "type": None,  # the second type, filled in below
    "union contains": {"union": "ゼンセン"},
    "name search": {"q": "ヤマダ"},
    "search + arrears + status": {"q": "ヤマダ", "arrears": "yes", "status": "current"},
}
UNIONS = ["自治労", "UAゼンセン", "電機連合", "JAM", "基幹労連", ""]
FAMILIES = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "ワタナベ", "イトウ", "ナカムラ"]


def build_register(center):
    types = [MembershipTypeFactory(code=f"scale{n}", annual_fee=1000 * (n + 1)) for n in range(5)]
    year = fiscal_year_of(timezone.localdate())
    members = []
    for n in range(1, SIZE + 1):
        family = FAMILIES[n % len(FAMILIES)]
        member = Member(
            center=center,
            sequence=n,
            number=member_number(center.code, n),
            membership_type=types[n % 5],
            name=f"会員 {n}",
            name_kana=f"{family} タロウ",
            union=UNIONS[n % len(UNIONS)],
            joined_on=datetime.date(2010, 4, 1) + datetime.timedelta(days=n % 5000),
            left_on=datetime.date(2025, 5, 1) if n % 37 == 0 else None,
            leave_reason="request" if n % 37 == 0 else "",
        )
        member.search_text = member.build_search_text()
        members.append(member)
    Member.objects.bulk_create(members, batch_size=5000)
    MemberNumberCounter.raise_to(center, SIZE)
    ids = list(Member.objects.values_list("pk", "membership_type__annual_fee"))
    fees = []
    for index, (pk, amount) in enumerate(ids):
        for fiscal_year in (year - 1, year):
            paid = 0 if index % 9 == 0 and fiscal_year == year else amount
            fees.append(Fee(member_id=pk, fiscal_year=fiscal_year, amount=amount, paid=paid))
    Fee.objects.bulk_create(fees, batch_size=5000)
    return types


def median_ms(client, filters, assert_max_queries):
    """Median of five requests, its count, and the slowest query of the last one."""
    client.post(LIST, {"clear": "1"})
    if filters:
        client.post(LIST, filters)
    timings = []
    for _ in range(5):
        with assert_max_queries(14) as queries:
            started = time.perf_counter()
            response = client.get(LIST, {"page": "3"})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]))
    return (
        statistics.median(timings),
        response.context["page"].paginator.count,
        f"{float(slowest['time']) * 1000:.0f} ms {slowest['sql'][:60]}",
    )


def test_the_list_at_100000_members(client, coordinator, center, django_assert_max_num_queries):
    started = time.perf_counter()
    types = build_register(center)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    FILTERS["type"] = {"membership_type": types[1].pk}
    client.force_login(coordinator)
    print(f"\n{connection.vendor}: {SIZE:,} members built in {built:.0f}s")
    for name, filters in FILTERS.items():
        median, count, slowest = median_ms(client, filters, django_assert_max_num_queries)
        print(f"  {name:<28} {median:7.1f} ms  ({count:,} found; slowest: {slowest})")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(reverse("members:fee-arrears"))
        timings.append((time.perf_counter() - started) * 1000)
    print(f"  {'arrears list':<28} {statistics.median(timings):7.1f} ms")
