"""No download runs a name as a spreadsheet formula (security.md row 26): a client or
member called `=HYPERLINK("http://x")`, and the only free text that reaches the
statistics (a membership type's name), come out of every CSV and Excel export quoted."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from consultations.tests.factories import CaseFactory, ClientFactory, ConsentFactory
from members.tests.factories import FeeFactory, MemberFactory, MembershipTypeFactory, PaymentFactory
from network.tests.factories import OrganisationFactory, ServiceFactory
from referrals.models import Channel, ProvisionRecord
from referrals.tests.factories import ReferralFactory, referral_in

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x")'


def csv_cells(response):
    """Each cell as a spreadsheet would read it."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def excel_cells(response):
    """Each text cell as Excel shows it in the formula bar: a quote-prefixed text cell
    (the statistics' way) reads as `'=…`, like a value that carries the apostrophe
    (the member list's way)."""
    book = load_workbook(io.BytesIO(response.content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cells.append(f"formula {cell.value}")
                elif isinstance(cell.value, str):
                    cells.append(("'" if cell.quotePrefix else "") + cell.value)
    return cells


def assert_quoted(cells):
    named = [cell for cell in cells if "HYPERLINK" in cell]
    assert named, "the formula-like name is not in the export"
    for cell in named:
        assert cell.startswith("'="), cell


def test_row_26_a_client_named_as_a_formula_is_quoted_in_the_provision_records(
    client, center, coordinator
):
    person = ClientFactory(center=center, family_name=FORMULA, given_name="")
    case = CaseFactory(center=center, client=person, created_by=coordinator)
    organisation = OrganisationFactory()
    referral = ReferralFactory(
        case=case,
        service=ServiceFactory(organisation=organisation),
        consent=ConsentFactory(client=person, organisation=organisation, recorded_by=coordinator),
        coordinator=coordinator,
    )
    ProvisionRecord.write(referral_in("asked", referral), by=coordinator, channel=Channel.PHONE)
    client.force_login(coordinator)

    response = client.get(reverse("referrals:provision-export", args=[person.pk]))

    assert response.status_code == 200
    assert_quoted(csv_cells(response))


@pytest.mark.parametrize(
    ("url_name", "cells"),
    [("members:member-export-csv", csv_cells), ("members:member-export-xlsx", excel_cells)],
)
def test_row_26_a_member_named_as_a_formula_is_quoted_in_the_member_exports(
    client, center, coordinator, url_name, cells
):
    MemberFactory(center=center, name=FORMULA)
    client.force_login(coordinator)

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert_quoted(cells(response))


@pytest.mark.parametrize(
    ("url", "cells"),
    [
        (reverse("reports:export", args=["members", "csv"]), csv_cells),
        (reverse("reports:export", args=["members", "xlsx"]), excel_cells),
        (reverse("reports:export-dashboard"), excel_cells),
    ],
)
def test_row_26_a_membership_type_named_as_a_formula_is_quoted_in_the_statistics(
    client, center, coordinator, url, cells
):
    kind = MembershipTypeFactory(code="eq", name=FORMULA)
    for _n in range(4):
        fee = FeeFactory(member=MemberFactory(center=center, membership_type=kind), amount=3000)
        PaymentFactory(fee=fee, amount=3000, paid_on=datetime.date(2025, 6, 1))
    client.force_login(coordinator)

    response = client.get(url, {"period": "fiscal_year", "year": "2025"})

    assert response.status_code == 200
    assert_quoted(cells(response))
