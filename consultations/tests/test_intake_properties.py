"""Whatever is posted to the intake, the answer is a page or a redirect, never a 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from consultations.tests.test_intake import intake_data

pytestmark = pytest.mark.django_db

URL = reverse("consultations:intake")

# Any text, including control characters, NUL, emoji, full-width and very long strings.
ANY_TEXT = st.text(max_size=300) | st.text(min_size=4000, max_size=4100)
DATEISH = st.from_regex(r"[0-9０-９]{0,5}[-/年]?[0-9]{0,3}[-/月]?[0-9]{0,3}(T[0-9:]{0,6})?")
VALUES = st.one_of(
    ANY_TEXT,
    DATEISH,
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.sampled_from(["", "on", "W1-01", "W1", "phone", "0", "-1", "1e9", "²", "１２", "や\x00ま"]),
)
FIELDS = [
    "channel",
    "received_at",
    "duration_minutes",
    "taken_by",
    "consulter_type",
    "route",
    "main_topic",
    "other_topics",
    "summary",
    "outcome",
    "next_action_on",
    "age",
    "gender",
    "municipality",
    "anonymous",
    "client",
    "case",
    "restricted",
    "case_title",
    "client-family_name_kana",
    "client-family_name",
    "client-phone_mobile",
    "client-phone_home",
    "client-email",
    "client-birth_date",
    "client-stated_age",
    "client-postcode",
    "client-prefecture",
    "client-municipality",
    "choose_client",
    "choose_member",
    "lookup",
]


# derandomize: the same examples on every run, so CI is repeatable; the explicit
# examples are inputs that once made a 500.
@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6))
@example(changes={"client-prefecture": ":"})
@example(changes={"client": "²"})
@example(changes={"client-family_name_kana": "やま\x00だ", "lookup": "1"})
@example(changes={"choose_member": "KNZ\x00-1"})
def test_no_input_makes_the_intake_fail(client, counter_staff, changes):
    client.force_login(counter_staff)
    response = client.post(URL, intake_data(counter_staff, **changes))
    assert response.status_code in (200, 302)
    htmx = client.post(URL, {"lookup": "1", **changes}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200
