import pytest

from consultations.tests.factories import CaseFactory, ClientFactory, ConsultationFactory


@pytest.fixture
def client_record(center, counter_staff):
    """A registered client of the centre (named so as not to shadow pytest-django's client)."""
    return ClientFactory(
        center=center,
        created_by=counter_staff,
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        phone_mobile="09012345678",
    )


@pytest.fixture
def case(center, counter_staff, client_record):
    case = CaseFactory(
        center=center, client=client_record, created_by=counter_staff, title="残業代の未払い"
    )
    ConsultationFactory(case=case, topics=["W2-01"])
    return case


@pytest.fixture
def restricted_case(center, coordinator):
    """A restricted (要配慮) case assigned to the coordinator."""
    case = CaseFactory(
        center=center, created_by=coordinator, restricted=True, title="配偶者からの暴力（DV）"
    )
    ConsultationFactory(case=case)
    return case


@pytest.fixture
def case_elsewhere(other_center, coordinator_elsewhere):
    case = CaseFactory(center=other_center, created_by=coordinator_elsewhere)
    ConsultationFactory(case=case)
    return case
