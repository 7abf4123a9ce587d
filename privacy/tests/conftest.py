from referrals.tests.conftest import (
    anonymous_referral,
    case,
    case_elsewhere,
    client_record,
    consent,
    labour_contact,
    labour_office,
    labour_service,
    referral,
    restricted_case,
    served_region,
)

__all__ = [
    "anonymous_referral",
    "case",
    "case_elsewhere",
    "client_record",
    "consent",
    "labour_contact",
    "labour_office",
    "labour_service",
    "referral",
    "restricted_case",
    "served_region",
]
