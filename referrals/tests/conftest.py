import pytest

from consultations.tests.conftest import case, case_elsewhere, client_record, restricted_case
from consultations.tests.factories import ConsentFactory
from network.models import Organisation, Prefecture
from network.tests.factories import ContactFactory, OrganisationFactory, ServiceFactory
from referrals.tests.factories import ReferralFactory

__all__ = ["case", "case_elsewhere", "client_record", "restricted_case"]


@pytest.fixture(autouse=True)
def served_region(db):
    """The demo region, 石川県, is the one served."""
    Prefecture.objects.filter(code="17").update(is_served=True)


@pytest.fixture
def labour_office(db):
    return OrganisationFactory(
        name="金沢労働基準監督署",
        name_kana="カナザワロウドウキジュンカントクショ",
        kind=Organisation.Kind.GOVERNMENT,
        email="kanazawa-kantoku@example.jp",
    )


@pytest.fixture
def labour_service(labour_office):
    return ServiceFactory(
        organisation=labour_office,
        name="総合労働相談コーナー",
        topics=["W2-01", "W1-01"],
        areas=["17201"],
    )


@pytest.fixture
def labour_contact(labour_office, labour_service):
    return ContactFactory(
        organisation=labour_office,
        service=labour_service,
        name="北村 正",
        name_kana="キタムラ タダシ",
        email="kitamura@example.jp",
    )


@pytest.fixture
def consent(client_record, labour_office, coordinator):
    return ConsentFactory(client=client_record, organisation=labour_office, recorded_by=coordinator)


@pytest.fixture
def referral(case, labour_service, labour_contact, consent, coordinator):
    """A draft referral of 山田花子's case to the labour office, under her consent."""
    return ReferralFactory(
        case=case,
        service=labour_service,
        contact=labour_contact,
        consent=consent,
        coordinator=coordinator,
    )


@pytest.fixture
def anonymous_referral(case, labour_service, coordinator):
    """The same case to the same office as an anonymous enquiry (no consent)."""
    return ReferralFactory(case=case, service=labour_service, coordinator=coordinator)
