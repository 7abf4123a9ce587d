"""The self-assessment check sheet: the handbook's 27 questions, the evidence from the
records against figures counted by hand, saving the answers, and who may do what."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.models import Consultation
from consultations.tests.factories import CaseFactory, ClientFactory, ConsultationFactory
from members.fiscal import fiscal_year_of
from members.tests.factories import (
    BenefitFactory,
    MemberFactory,
    MembershipTypeFactory,
    PaymentFactory,
)
from network.models import Contact, Organisation
from network.tests.factories import (
    ContactFactory,
    OrganisationFactory,
    ServiceFactory,
    municipality,
)
from referrals.models import Referral
from referrals.tests.factories import referral_in
from reports import checklist, statistics
from reports.checklist import QUESTIONS, STEPS, CentreYear
from reports.models import SelfAssessment, SelfAssessmentAnswer
from reports.periods import Period
from reports.statistics import Scope

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
URL = reverse("reports:checklist")
YEAR = 2025  # 2025-04-01 … 2026-03-31, a year already over
INVALID_ANSWER = "Choose YES or NO, or leave it unanswered."


def at(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def consultation(center, received_at, **kwargs):
    return ConsultationFactory(case=CaseFactory(center=center), received_at=received_at, **kwargs)


def evidence(question_number, facts):
    """The evidence sentences of one question, in English (the msgids)."""
    with translation.override("en"):
        return [item.text for item in QUESTIONS[question_number - 1].evidence_for(facts)]


def facts_for(center, *, suppress=False, year=YEAR):
    return CentreYear(center, year, suppress=suppress)


# The questions


def test_the_27_questions_in_the_handbooks_order_and_steps():
    assert [q.number for q in QUESTIONS] == list(range(1, 28))
    assert [step.number for step in STEPS] == [1, 2, 3, 4, 5]
    by_step = {step.number: [q.number for q in step.questions] for step in STEPS}
    assert by_step == {
        1: [1, 2, 3, 4, 5, 6, 7],
        2: [8, 9, 10, 11, 12, 13],
        3: [14, 15, 16, 17, 18],
        4: [19],
        5: [20, 21, 22, 23, 24, 25, 26, 27],
    }
    assert all(q.step == step.number for step in STEPS for q in step.questions)
    # Only the pages the handbook's text gives.
    assert {q.number: q.page for q in QUESTIONS if q.page} == {6: 18, 7: 18, 14: 25, 19: 32}
    with translation.override("en"):
        assert QUESTIONS[5].reference == "Handbook STEP 1, “Publicity and PR”, p. 18"
        assert QUESTIONS[0].reference == "Handbook STEP 1, “Securing a space”"


def test_questions_without_data_show_no_evidence(center):
    facts = facts_for(center)
    for number in (1, 13, 19, 20, 27):
        assert QUESTIONS[number - 1].evidence_for(facts) == []


# Evidence from consultations


@pytest.fixture
def heard(center, other_center):
    """FY2025 at 金沢: six consultations, and some just outside the year or elsewhere."""
    member = MemberFactory(center=center)
    member_client = ClientFactory(center=center, member=member)
    # A weekday in office hours, from a member, about dismissal (W1), by phone.
    consultation(
        center,
        at(2025, 4, 1, 0, 0),  # the year's first minute: before 9:00, so out of hours
        topics=["W1-01"],
        route=Consultation.Route.PUBLICITY,
    )
    ConsultationFactory(
        case=CaseFactory(center=center, client=member_client),
        received_at=at(2025, 6, 16, 10, 0),  # Monday 10:00
        topics=["W1-10", "L3-01"],
        channel=Consultation.Channel.VISIT,
        route=Consultation.Route.UNION,
    )
    # Saturday; daily life (L3) as the main concern; anonymous; on a pension.
    consultation(
        center,
        at(2025, 6, 14, 11, 0),
        topics=["L3-01", "W1-01"],
        client=None,
        employment_type="pensioner",
        route=Consultation.Route.EVENT,
    )
    # 建国記念の日 (Wednesday 11 February 2026) at 10:00: a holiday, so out of hours.
    consultation(
        center,
        at(2026, 2, 11, 10, 0),
        topics=["H1-01"],
        client=None,
        channel=Consultation.Channel.EMAIL,
        employment_type="job_seeking",
    )
    # Weekday at 17:00 sharp: out of hours; no main concern recorded.
    no_topic = consultation(center, at(2025, 10, 10, 17, 0), channel=Consultation.Channel.EMAIL)
    no_topic.topic_links.all().delete()
    # The year's last minute, Tuesday 31 March 2026 at 16:59: in office hours.
    consultation(center, at(2026, 3, 31, 16, 59), topics=["W1-15"])
    # Outside the year, and at the other centre.
    consultation(center, at(2026, 4, 1, 10, 0), topics=["L1-01"])
    consultation(center, at(2025, 3, 31, 23, 59), topics=["L1-01"])
    consultation(other_center, at(2025, 5, 1, 12, 0), topics=["L1-01"], client=None)


def test_consultation_figures_count_the_centres_year_only(heard, center):
    figures = facts_for(center).consultations
    assert figures["total"] == 6
    assert figures["anonymous"] == 2
    assert figures["members"] == 1
    # 00:00, Saturday, the holiday and 17:00; not Monday 10:00 nor 16:59.
    assert figures["out_of_hours"] == 4


def test_labour_and_life_consultations_by_main_concern(heard, center):
    facts = facts_for(center)
    # W1 main: 1 Apr, 16 Jun, 31 Mar; L3 main: 14 Jun; H1 main: 11 Feb; none: 10 Oct.
    assert evidence(8, facts) == [
        "Consultations whose main concern is workplace problems and union organising (W1): "
        "3 of 6 (50.0%)."
    ]
    life = evidence(9, facts)
    assert life[0] == (
        "Consultations whose main concern is daily life or health (L and H fields): 2 of 6 (33.3%)."
    )
    assert re.fullmatch(r"By field: L3 \S+ 1, H1 \S+ 1\.", life[1])


def test_open_to_residents_partitions_who_consulted(heard, center):
    assert evidence(10, facts_for(center)) == [
        "Of 6 consultations: anonymous 2, named people who are not members 3, members 1.",
        "Consultations from people not in work (looking for work, on a pension, students and "
        "others): 2.",
    ]


def test_channels_and_consultations_out_of_office_hours(heard, center):
    channels, hours = evidence(11, facts_for(center))
    assert channels == "Consultations by channel: Phone 3, Walk-in 1, E-mail 2."
    assert hours == (
        "Consultations outside weekday office hours (before 9:00, from 17:00, weekends and "
        "holidays): 4 of 6."
    )


def test_publicity_and_how_consulters_found_the_centre(heard, center):
    facts = facts_for(center)
    assert evidence(6, facts) == [
        "Consultations in this fiscal year: 6; of them through publicity, the website or "
        "leaflets: 1; through consultation events: 1."
    ]
    assert evidence(7, facts) == [
        "How consulters found the centre (consultations): Through a union or Rengo 1, "
        "Publicity, website or leaflet 1, Consultation event 1, Unknown 3."
    ]


def test_a_year_without_consultations_says_so(center):
    facts = facts_for(center)
    for number in (6, 8, 9, 10, 11):
        assert evidence(number, facts) == ["No consultations are recorded for this fiscal year."]
    assert evidence(7, facts) == ["How consulters found the centre is not recorded for this year."]


def test_viewers_see_small_counts_hidden(heard, center):
    facts = facts_for(center, suppress=True)
    # Anonymous 2 and members 1 are under 3. The year's total is on the page anyway, so
    # the named non-members (3) are withheld too, or they would give back the sum of the
    # other two.
    assert evidence(10, facts)[0] == (
        "Of 6 consultations: anonymous under 3, named people who are not members withheld, "
        "members under 3."
    )
    # The dashboard's table by channel shows phone 3 and withholds its total, but the
    # year's 6 is on this page (and in the dashboard's other tables): phone is withheld
    # here, or it would give back the sum of walk-in 1, e-mail 2 and the unused 0s.
    assert evidence(11, facts)[0] == (
        "Consultations by channel: Phone withheld, Walk-in under 3, E-mail under 3, Online "
        "under 3, Outreach or consultation event under 3, Other under 3."
    )
    # By field as on the dashboard: W1 3 withheld in the same way; daily life and health
    # is the sum of L3 1 and H1 1 (and 0s), all hidden, so the sum is withheld too.
    assert evidence(8, facts)[0].endswith("(W1): withheld of 6 (—).")
    assert evidence(9, facts)[0].endswith("(L and H fields): withheld of 6 (—).")
    assert evidence(9, facts)[1].startswith("By field: L1 ")
    assert "L3 金融・消費生活・法律 under 3" in evidence(9, facts)[1]
    # Not in work: pensioner 1 and job seeker 1 of the table by employment type, hidden.
    assert evidence(10, facts)[1].endswith("students and others): withheld.")


def test_no_dashboard_table_withholds_a_total_another_shows(heard, center):
    scope = Scope(Period(Period.FISCAL_YEAR, YEAR), center)
    tables = [
        "by-month",
        "by-field",
        "by-channel",
        "by-gender",
        "by-age-band",
        "by-employment-type",
        "by-industry",
        "by-company-size",
        "by-union",
        "by-municipality",
    ]
    shown_total, part_beside_withheld_total = set(), set()
    for slug in tables:
        rows = statistics.DASHBOARD[slug](scope).display_rows(suppress=True)
        if not rows[-1][1][0].hidden:
            shown_total.add(slug)
        elif any(not cells[0].hidden for _row, cells in rows[:-1]):
            part_beside_withheld_total.add(slug)
    assert not (shown_total and part_beside_withheld_total), (
        shown_total,
        part_beside_withheld_total,
    )


# Evidence from staff, the directory and referrals


def test_staff_are_the_centres_active_counter_staff_and_coordinators(
    center, other_center, counter_staff, coordinator, viewer
):
    UserFactory(center=center, roles=[Role.COUNTER, Role.COORDINATOR])
    UserFactory(center=center, roles=[Role.COUNTER], is_active=False)
    UserFactory(center=other_center, roles=[Role.COUNTER])
    consultation(center, at(2025, 5, 1, 10, 0))
    facts = facts_for(center)
    assert evidence(3, facts) == ["Coordinators active at the centre now: 2."]
    assert evidence(4, facts) == [
        "Staff active at the centre now: 2 counter staff, 2 coordinators.",
        "Staff who took consultations in this fiscal year: 1.",
    ]
    assert evidence(2, facts) == ["Registered name of the centre: 金沢ライフサポートセンター."]


@pytest.fixture
def directory(db):
    """Partners in 石川県 (the centre's prefecture, from its postal code) and elsewhere."""
    today = timezone.localdate()
    kanazawa, tokyo = municipality("17201"), municipality("13101")
    OrganisationFactory(kind=Organisation.Kind.NPO, verified_on=today - datetime.timedelta(100))
    OrganisationFactory(
        kind=Organisation.Kind.NPO,
        tie=Organisation.Tie.CONTRACT,
        verified_on=today - datetime.timedelta(400),
    )
    coop = OrganisationFactory(kind=Organisation.Kind.COOP, tie=Organisation.Tie.PARTNERSHIP)
    OrganisationFactory(kind=Organisation.Kind.GOVERNMENT, municipality=kanazawa)
    OrganisationFactory(kind=Organisation.Kind.NPO, is_active=False)
    # In Tokyo: counted only when a service of theirs serves 石川県 or every area.
    OrganisationFactory(kind=Organisation.Kind.NPO, municipality=tokyo)
    lawyers = OrganisationFactory(kind=Organisation.Kind.PROFESSIONAL, municipality=tokyo)
    ServiceFactory(organisation=lawyers, areas=["17201"])
    online = OrganisationFactory(kind=Organisation.Kind.EDUCATION, municipality=tokyo)
    ServiceFactory(organisation=online, serves_all_areas=True)
    ContactFactory(organisation=lawyers, qualification=Contact.Qualification.LAWYER)
    ContactFactory(organisation=coop, qualification=Contact.Qualification.SOCIAL_WORKER)
    ContactFactory(
        organisation=lawyers, qualification=Contact.Qualification.LAWYER, is_active=False
    )
    ContactFactory(organisation=coop)
    return {"coop": coop, "lawyers": lawyers}


def test_the_directory_for_the_centres_prefecture(center, directory):
    facts = facts_for(center)
    assert evidence(5, facts) == [
        "Active partners in the directory for 石川県, now: 6; verified in the last 12 months: "
        "1; not verified for over a year: 5."
    ]
    assert evidence(12, facts) == [
        "Partners who can help, in the directory for 石川県 now: NPO 2, Consumer co-op 1, "
        "Professional body 1.",
        "Specialists among the partners' contacts: Lawyer 1, Certified social worker 1.",
    ]


def test_working_with_partners_counts_the_years_referrals_and_the_directory(
    center, other_center, coordinator, coordinator_elsewhere, directory
):
    case = CaseFactory(center=center, created_by=coordinator)
    coop_service = ServiceFactory(organisation=directory["coop"])
    in_year = [
        referral_in(Referral.Status.ACCEPTED, case=case, service=coop_service),
        referral_in(Referral.Status.COMPLETED, case=case, service=coop_service),
        referral_in(Referral.Status.DECLINED, case=case, service=coop_service),
        referral_in(Referral.Status.ASKED, case=case, service=coop_service),
    ]
    Referral.objects.filter(pk__in=[r.pk for r in in_year]).update(asked_at=at(2025, 9, 1, 10))
    # Asked the year after, and by the other centre.
    late = referral_in(Referral.Status.ACCEPTED, case=case, service=coop_service)
    Referral.objects.filter(pk=late.pk).update(asked_at=at(2026, 4, 1, 10))
    elsewhere = referral_in(
        Referral.Status.ACCEPTED,
        case=CaseFactory(center=other_center, created_by=coordinator_elsewhere),
        service=coop_service,
    )
    Referral.objects.filter(pk=elsewhere.pk).update(asked_at=at(2025, 9, 1, 10))
    facts = facts_for(center)
    assert evidence(14, facts) == [
        "Partners asked to take a referral in this fiscal year: Consumer co-op asked 4, "
        "accepted 2.",
        "Partners in the directory for 石川県 now (NPO, Consumer co-op): 3; with a business "
        "partnership or contract: 2.",
    ]
    assert evidence(15, facts)[0] == (
        "No partner of these kinds (Government office) was asked to take a referral in this "
        "fiscal year."
    )
    assert evidence(17, facts)[1] == (
        "Partners in the directory for 石川県 now (Educational institution): 1; with a "
        "business partnership or contract: 0."
    )


# Evidence from members and fees


@pytest.fixture
def register(center, other_center):
    general = MembershipTypeFactory(name="一般会員", sort_order=1)
    friends = MembershipTypeFactory(name="友の会会員", annual_fee=1000, sort_order=2)
    lifelong = MembershipTypeFactory(name="生涯組合員", annual_fee=0, sort_order=3)
    MemberFactory(center=center, membership_type=general, joined_on=datetime.date(2020, 5, 1))
    joined = MemberFactory(
        center=center, membership_type=general, joined_on=datetime.date(2025, 7, 1)
    )
    MemberFactory(
        center=center,
        membership_type=general,
        joined_on=datetime.date(2019, 4, 1),
        left_on=datetime.date(2025, 12, 31),
        leave_reason="request",
    )
    friend = MemberFactory(
        center=center, membership_type=friends, joined_on=datetime.date(2024, 1, 1)
    )
    MemberFactory(
        center=center,
        membership_type=lifelong,
        joined_on=datetime.date(2025, 4, 1),
        is_retired=True,
    )
    MemberFactory(
        center=center, membership_type=general, is_retired=True, joined_on=datetime.date(2010, 1, 1)
    )
    MemberFactory(center=other_center, membership_type=general, joined_on=datetime.date(2020, 5, 1))
    MemberFactory(center=other_center, membership_type=lifelong, is_retired=True)
    # Fees paid in the year, one the year before and one at the other centre.
    PaymentFactory(fee__member=joined, fee__fiscal_year=2025, paid_on=datetime.date(2025, 7, 1))
    PaymentFactory(fee__member=friend, fee__fiscal_year=2025, paid_on=datetime.date(2026, 3, 31))
    PaymentFactory(fee__member=friend, fee__fiscal_year=2024, paid_on=datetime.date(2025, 3, 31))
    PaymentFactory(
        fee__member=MemberFactory(center=other_center, membership_type=general),
        fee__fiscal_year=2025,
    )
    BenefitFactory(membership_types=[friends])
    BenefitFactory(membership_types=[friends], is_active=False)


def test_members_at_the_end_of_the_year(center, register):
    facts = facts_for(center)
    assert evidence(21, facts) == [
        "Members at the end of the fiscal year: 5; joined in the year: 2; left: 1."
    ]
    assert evidence(22, facts) == [
        "Members by membership type: 一般会員 3, 友の会会員 1, 生涯組合員 1.",
        "Member benefits offered by partners: 1.",
    ]
    assert evidence(23, facts) == [
        "Retired members: 2; by membership type: 一般会員 1, 生涯組合員 1."
    ]


def test_the_current_year_counts_members_today(center, register):
    facts = facts_for(center, year=fiscal_year_of(timezone.localdate()))
    assert evidence(21, facts) == [
        "Members this fiscal year, as things stand: 5; joined: 0; left: 0."
    ]


def test_fee_income_and_what_the_app_cannot_tell(center, register):
    facts = facts_for(center)
    income = evidence(24, facts)
    assert income[:2] == [
        "Membership fees received in this fiscal year: ¥4,000.",
        "By membership type: 一般会員 ¥3,000, 友の会会員 ¥1,000.",
    ]
    assert "not recorded in the app" in income[2]
    assert [item.missing for item in QUESTIONS[23].evidence_for(facts)] == [False, False, True]
    assert [item.missing for item in QUESTIONS[24].evidence_for(facts)] == [True]
    assert [item.missing for item in QUESTIONS[25].evidence_for(facts)] == [True]


def test_an_empty_register(center):
    facts = facts_for(center)
    assert evidence(22, facts)[0] == "No members are on the register."
    assert evidence(21, facts) == ["No members are on the register."]
    assert evidence(23, facts) == ["No retired members are on the register."]
    assert evidence(24, facts)[0] == "Membership fees received in this fiscal year: ¥0."


# The page: who may see it


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_counter_staff_may_neither_read_nor_save(client, counter_staff):
    client.force_login(counter_staff)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"answer_1": "yes"}).status_code == 403
    assert not SelfAssessment.objects.exists()


def test_other_methods_are_refused(client, coordinator):
    client.force_login(coordinator)
    assert client.put(URL).status_code == 405


def test_the_coordinator_sees_the_form_with_evidence(client, coordinator, heard):
    client.force_login(coordinator)
    response = client.get(URL, {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<form method="post" action="{URL}?year={YEAR}&amp;center=' in page
    assert page.count('type="radio"') == 27 * 3
    assert page.count("<textarea") == 27
    assert "金沢ライフサポートセンター · Reiwa 7 fiscal year (FY2025)" in page
    assert "Consultations by channel: Phone 3, Walk-in 1, E-mail 2." in page
    assert "Handbook STEP 3, “Networking with NPOs and similar groups”, p. 25" in page
    # No centre to choose: a coordinator has their own only.
    assert 'name="center"' not in page


def test_the_centre_parameter_is_ignored_for_a_coordinator(
    client, coordinator_elsewhere, center, other_center
):
    client.force_login(coordinator_elsewhere)
    response = client.get(URL, {"year": YEAR, "center": center.pk})
    assert response.status_code == 200
    assert response.context["center"] == other_center
    response = client.post(
        f"{URL}?year={YEAR}&center={center.pk}", {"answer_1": "yes", "note_1": "小松の回答"}
    )
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get()
    assert assessment.center == other_center
    assert not SelfAssessment.objects.filter(center=center).exists()


def test_a_manager_chooses_the_centre_and_saves_its_sheet(client, manager, other_center):
    client.force_login(manager)
    response = client.get(URL, {"year": YEAR, "center": other_center.pk})
    assert response.context["center"] == other_center
    assert 'name="center"' in response.content.decode()
    client.post(f"{URL}?year={YEAR}&center={other_center.pk}", {"answer_2": "no"})
    assessment = SelfAssessment.objects.get()
    assert (assessment.center, assessment.updated_by) == (other_center, manager)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    # Filed under the centre whose sheet it is, so its own coordinators see it.
    assert event.center_id == other_center.pk


def test_an_unknown_centre_or_a_bad_year_falls_back(client, manager, center):
    client.force_login(manager)
    current = fiscal_year_of(timezone.localdate())
    for query in ({"center": 99999}, {"year": "abc"}, {"year": 1800}, {"year": current + 5}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert response.context["center"] == center
        assert response.context["period"].year == current
    # A bad centre does not lose a good year.
    response = client.get(URL, {"year": YEAR, "center": "x"})
    assert response.context["period"].year == YEAR


def test_viewers_read_only(client, viewer, center):
    assessment = SelfAssessment.objects.create(center=center, fiscal_year=YEAR)
    assessment.answers.create(question=1, answer="yes", note="相談室あり")
    client.force_login(viewer)
    response = client.get(URL, {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'action="{URL}' not in page
    assert "<textarea" not in page
    assert "相談室あり" in page
    response = client.post(f"{URL}?year={YEAR}", {"answer_1": "no", "note_1": "変更"})
    assert response.status_code == 403
    answer = assessment.answers.get()
    assert (answer.answer, answer.note) == ("yes", "相談室あり")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).exists()


# The page: saving


def test_the_first_save_creates_the_sheet_and_writes_the_audit(client, coordinator, center):
    client.force_login(coordinator)
    data = {"answer_1": "yes", "note_1": " 地協事務所の一角 ", "answer_4": "no", "note_5": "調査中"}
    response = client.post(f"{URL}?year={YEAR}", data, follow=True)
    assert response.redirect_chain == [(f"{URL}?year={YEAR}&center={center.pk}", 302)]
    assert len(list(response.context["messages"])) == 1
    assessment = SelfAssessment.objects.get(center=center, fiscal_year=YEAR)
    assert assessment.updated_by == coordinator
    saved = {a.question: (a.answer, a.note) for a in assessment.answers.all()}
    assert saved == {1: ("yes", "地協事務所の一角"), 4: ("no", ""), 5: ("", "調査中")}
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert (event.user, event.object_id, event.center_id) == (
        coordinator,
        str(assessment.pk),
        center.pk,
    )
    assert event.detail == {"fiscal_year": YEAR, "created": True, "questions": [1, 4, 5]}


def test_a_later_save_updates_the_answers(client, coordinator, manager, center):
    assessment = SelfAssessment.objects.create(center=center, fiscal_year=YEAR, updated_by=manager)
    assessment.answers.create(question=1, answer="yes", note="")
    assessment.answers.create(question=2, answer="no", note="検討中")
    client.force_login(coordinator)
    client.post(f"{URL}?year={YEAR}", {"answer_1": "yes", "answer_2": "yes", "answer_3": "no"})
    assessment.refresh_from_db()
    assert assessment.updated_by == coordinator
    saved = {a.question: (a.answer, a.note) for a in assessment.answers.all()}
    # The note of question 2 was emptied on the form, so it is emptied here.
    assert saved == {1: ("yes", ""), 2: ("yes", ""), 3: ("no", "")}
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert event.detail == {"fiscal_year": YEAR, "created": False, "questions": [2, 3]}


def test_bad_answers_are_refused_with_a_message(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"{URL}?year={YEAR}", {"answer_1": "maybe", "answer_2": "yes", "note_3": "長" * 1001}
    )
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override("ja"):
        assert form.errors["answer_1"] == [translation.gettext(INVALID_ANSWER)]
    assert "note_3" in form.errors
    assert not SelfAssessment.objects.exists()
    # What was typed stays on the form.
    assert 'value="yes" class="btn-check" id="id_answer_2_0" checked' in response.content.decode()


def test_summary_progress_and_items_to_work_on(client, coordinator, center):
    last = SelfAssessment.objects.create(center=center, fiscal_year=YEAR - 1)
    for number in (1, 2, 3):
        last.answers.create(question=number, answer="yes")
    last.answers.create(question=4, answer="no", note="募集中")
    this = SelfAssessment.objects.create(center=center, fiscal_year=YEAR, updated_by=coordinator)
    for number in range(1, 6):
        this.answers.create(question=number, answer="yes")
    this.answers.create(question=14, answer="no")
    this.answers.create(question=24, answer="no")
    client.force_login(coordinator)
    response = client.get(URL, {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="en")
    summary = response.context["summary"]
    assert (summary["yes"], summary["answered"], summary["total"]) == (5, 7, 27)
    assert (summary["last_year_yes"], summary["last_year_answered"]) == (3, 4)
    assert [q.number for q in summary["to_work_on"]] == [14, 24]
    page = response.content.decode()
    assert "YES 5 of 27 (7 answered)" in page
    assert "YES 3 of 27 (4 answered)" in page
    assert "募集中" in page  # last year's note beside this year's answer
    to_work_on = page[page.index('id="to-work-on"') :]
    assert str(QUESTIONS[13].hint) in to_work_on
    # The saved answers are on the form.
    assert 'value="yes" class="btn-check" id="id_answer_5_0" checked' in page


# The page: cost


def test_query_budget_does_not_grow_with_the_records(
    client, manager, center, heard, directory, register, django_assert_max_num_queries
):
    this = SelfAssessment.objects.create(center=center, fiscal_year=YEAR)
    last = SelfAssessment.objects.create(center=center, fiscal_year=YEAR - 1)
    for number in range(1, 28):
        this.answers.create(question=number, answer="yes")
        last.answers.create(question=number, answer="no")
    client.force_login(manager)
    client.get(URL, {"year": YEAR})  # the session's first save is not the page's cost
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"year": YEAR})
    for _ in range(10):
        consultation(center, at(2025, 8, 1, 10, 0), topics=["L2-01", "W1-01"])
        MemberFactory(center=center, joined_on=datetime.date(2021, 1, 1))
        OrganisationFactory(kind=Organisation.Kind.NPO)
    # Session, user with their centre, permissions (one query: accounts.backends), the
    # centres to choose from; this and last year's answers, the assessment with who saved
    # it (5 + 4). The
    # evidence (17): staff, consultation totals, routes, the L and H fields; the
    # dashboard's tables by channel (1), field (3: counts, total, fields), employment
    # type (1), referrals by kind (1) and members and fees (3: members, fees, types);
    # partners by kind, specialists, retired members, benefits. Then the session saved
    # again (savepoint, update, release).
    with django_assert_max_num_queries(26) as many:
        response = client.get(URL, {"year": YEAR})
    assert response.status_code == 200
    assert len(many) == len(few)


# The back office


def test_the_back_office_lists_and_shows_sheets_read_only(admin_client, center, coordinator):
    assessment = SelfAssessment.objects.create(
        center=center, fiscal_year=YEAR, updated_by=coordinator
    )
    assessment.answers.create(question=1, answer="yes", note="相談室あり")
    assessment.answers.create(question=2, answer="no")
    changelist = admin_client.get(reverse("admin:reports_selfassessment_changelist"))
    assert changelist.status_code == 200
    assert "1 / 27" in changelist.content.decode()
    change = admin_client.get(reverse("admin:reports_selfassessment_change", args=[assessment.pk]))
    assert change.status_code == 200
    assert "相談室あり" in change.content.decode()
    assert admin_client.get(reverse("admin:reports_selfassessment_add")).status_code == 403


def test_saving_directly_keeps_one_row_per_question(center, coordinator):
    answers = {number: ("", "") for number in range(1, 28)} | {7: ("yes", "")}
    checklist.self_assessment_save(center=center, fiscal_year=YEAR, answers=answers, by=coordinator)
    checklist.self_assessment_save(
        center=center, fiscal_year=YEAR, answers=answers | {7: ("no", "")}, by=coordinator
    )
    assert list(SelfAssessmentAnswer.objects.values_list("question", "answer")) == [(7, "no")]
