import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Client,
    ConsultationTopic,
    HandoverNote,
    StaleEdit,
)
from consultations.tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsultationFactory,
    HandoverNoteFactory,
)
from network.models import Topic

pytestmark = pytest.mark.django_db


class TestVisibility:
    def test_staff_see_their_own_centres_cases_only(self, counter_staff, case, case_elsewhere):
        assert list(Case.objects.visible_to(counter_staff)) == [case]

    def test_restricted_cases_are_for_the_assignee_and_coordinators(
        self, center, counter_staff, coordinator, restricted_case
    ):
        colleague = UserFactory(center=center, roles=[Role.COUNTER])
        assert restricted_case not in Case.objects.visible_to(counter_staff)
        assert restricted_case in Case.objects.visible_to(coordinator)
        restricted_case.assigned_to = colleague
        restricted_case.save()
        assert restricted_case in Case.objects.visible_to(colleague)
        assert restricted_case not in Case.objects.visible_to(counter_staff)

    def test_a_client_follows_their_restricted_case(
        self, center, counter_staff, coordinator, restricted_case
    ):
        hidden = restricted_case.client
        assert hidden not in Client.objects.visible_to(counter_staff)
        assert hidden in Client.objects.visible_to(coordinator)
        assert not restricted_case.consultations.visible_to(counter_staff).exists()

    def test_users_without_a_centre_see_nothing(self, case):
        nobody = UserFactory(center=None, roles=[Role.COORDINATOR])
        assert not Case.objects.visible_to(nobody).exists()
        assert not Client.objects.visible_to(nobody).exists()


class TestClient:
    def test_readings_and_phones_are_stored_in_one_form(self, center, counter_staff):
        client = Client(
            center=center,
            created_by=counter_staff,
            family_name="山田",
            family_name_kana="やまだ",
            given_name_kana="ﾊﾅｺ",
            phone_home="０７６－２３１－７７００",
        )
        client.full_clean()
        client.save()
        assert (client.family_name_kana, client.given_name_kana) == ("ヤマダ", "ハナコ")
        assert client.phone_home == "0762317700"
        assert client.phones == ["076-231-7700"]
        assert client.search_kana == "ヤマダハナコ"

    @pytest.mark.parametrize(
        ("kana", "phone", "found"),
        [
            ("やまだ", "", True),
            ("ﾔﾏﾀﾞ ﾊﾅ", "", True),
            ("やまだはなこ", "", True),
            ("やまだ　たろう", "", False),
            ("や", "", False),  # one kana matches half the register: not offered
            ("", "090-1234", True),
            ("", "０９０１２３４５６７８", True),
            ("", "090", False),
            ("", "080-1234", False),
        ],
    )
    def test_matching_is_kana_and_width_insensitive(self, client_record, kana, phone, found):
        assert (client_record in Client.objects.matching(kana=kana, phone=phone)) is found

    def test_a_future_birth_date_is_refused(self, client_record):
        client_record.birth_date = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as error:
            client_record.full_clean()
        assert "birth_date" in error.value.message_dict

    def test_the_age_comes_from_the_birth_date_or_the_age_given(self, client_record):
        client_record.birth_date = datetime.date(1980, 4, 2)
        assert client_record.age_on(datetime.date(2026, 4, 1)) == 45
        assert client_record.age_on(datetime.date(2026, 4, 2)) == 46
        client_record.birth_date = None
        client_record.stated_age = 40
        client_record.stated_age_on = datetime.date(2024, 6, 1)
        assert client_record.age_on(datetime.date(2026, 6, 1)) == 42

    def test_the_postcode_fills_the_address(self, center, counter_staff):
        client = ClientFactory.build(center=center, created_by=counter_staff, postcode="9200853")
        client.full_clean()
        assert client.postcode == "920-0853"
        assert client.municipality.name == "金沢市"
        assert client.prefecture.name == "石川県"
        assert client.town == "本町"

    def test_a_stale_edit_is_refused_and_writes_nothing(self, client_record):
        first = Client.objects.get(pk=client_record.pk)
        second = Client.objects.get(pk=client_record.pk)
        first.contact_hours = "平日18時以降"
        first.save_edit(expected_version=1, fields=["contact_hours"])
        second.contact_hours = "土日のみ"
        with pytest.raises(StaleEdit):
            second.save_edit(expected_version=1, fields=["contact_hours"])
        client_record.refresh_from_db()
        assert client_record.contact_hours == "平日18時以降"
        assert client_record.version == 2


class TestCaseStatus:
    def test_the_status_moves_only_along_the_allowed_steps(self, case, counter_staff):
        with pytest.raises(ValidationError):
            case.change_status(Case.Status.FOLLOW_UP, by=counter_staff)
        case.change_status(Case.Status.IN_PROGRESS, by=counter_staff, note="面談を設定")
        case.change_status(Case.Status.REFERRING, by=counter_staff)
        case.change_status(Case.Status.FOLLOW_UP, by=counter_staff)
        case.refresh_from_db()
        assert case.status == Case.Status.FOLLOW_UP
        steps = list(case.events.values_list("old_value", "new_value"))
        assert steps == [
            ("received", "in_progress"),
            ("in_progress", "referring"),
            ("referring", "follow_up"),
        ]

    def test_closing_needs_a_reason_and_reopening_clears_it(self, case, counter_staff):
        with pytest.raises(ValidationError):
            case.close(reason="", by=counter_staff)
        case.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff, note="未払い分が支払われた")
        case.refresh_from_db()
        assert (case.status, case.closed_reason) == (Case.Status.CLOSED, "resolved")
        assert case.closed_at is not None
        with pytest.raises(ValidationError):
            case.close(reason=Case.ClosedReason.OTHER, by=counter_staff)
        with pytest.raises(ValidationError):
            case.change_status(Case.Status.IN_PROGRESS, by=counter_staff)
        case.reopen(by=counter_staff, note="再度の相談")
        case.refresh_from_db()
        assert (case.status, case.closed_reason, case.closed_at) == ("in_progress", "", None)
        close_event = case.events.get(new_value="closed")
        assert (close_event.reason_label, close_event.text) == ("解決", "未払い分が支払われた")

    def test_the_database_refuses_a_closed_case_without_a_reason(self, case):
        with pytest.raises(IntegrityError):
            Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)

    def test_every_verb_moves_the_version_on(self, case, counter_staff):
        case.add_note("電話がつながらない", by=counter_staff)
        case.change_status(Case.Status.IN_PROGRESS, by=counter_staff)
        case.refresh_from_db()
        assert case.version == 2

    def test_an_edit_records_assignment_and_restriction_on_the_timeline(
        self, case, counter_staff, coordinator
    ):
        case.assigned_to = coordinator
        case.restricted = True
        case.save_edit(expected_version=1, fields=["assigned_to", "restricted"], by=coordinator)
        kinds = list(case.events.values_list("kind", flat=True))
        assert kinds == [CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.RESTRICTED]
        with pytest.raises(StaleEdit):
            case.save_edit(expected_version=1, fields=["title"], by=coordinator)

    def test_the_timeline_merges_contacts_and_events_in_time_order(self, case, counter_staff):
        ConsultationFactory(case=case, received_at=timezone.now() - datetime.timedelta(days=3))
        case.add_note("書類を受け取った", by=counter_staff)
        kinds = [entry.kind for entry in case.timeline()]
        assert kinds == ["consultation", "consultation", "note"]
        times = [entry.at for entry in case.timeline()]
        assert times == sorted(times)


class TestCaseNumbers:
    def test_numbers_count_up_per_centre_and_year(self, center, other_center):
        assert CaseNumberSequence.next_number(center.pk, 2026) == "2026-000001"
        assert CaseNumberSequence.next_number(center.pk, 2026) == "2026-000002"
        assert CaseNumberSequence.next_number(other_center.pk, 2026) == "2026-000001"
        assert CaseNumberSequence.next_number(center.pk, 2027) == "2027-000001"

    def test_a_number_is_unique_within_a_centre(self, case):
        with pytest.raises(IntegrityError):
            CaseFactory(center=case.center, number=case.number)


class TestQueries:
    def test_text_search_covers_title_names_and_summaries(self, case, client_record):
        ConsultationFactory(case=case, summary="タイムカードを改ざんされた")
        case.refresh_search_text()
        case.save()
        cases = Case.objects.all()
        assert case in cases.matching_text("残業代")
        assert case in cases.matching_text("やまだ はなこ")
        assert case in cases.matching_text("ﾀｲﾑｶｰﾄﾞ")
        assert case not in cases.matching_text("やまだ 解雇")

    def test_topic_filter_takes_a_topic_or_a_whole_field(self, case):
        assert case in Case.objects.with_topic("W2-01")
        assert case in Case.objects.with_topic("W2")
        assert case not in Case.objects.with_topic("W1")

    def test_contact_filter_uses_local_dates(self, case):
        consultation = case.consultations.get()
        tokyo_day = timezone.localtime(consultation.received_at).date()
        assert case in Case.objects.with_contact(start=tokyo_day, end=tokyo_day)
        assert case in Case.objects.with_contact(channel="phone")
        assert case not in Case.objects.with_contact(channel="visit")
        later = tokyo_day + datetime.timedelta(days=1)
        assert case not in Case.objects.with_contact(start=later)

    def test_one_main_topic_per_consultation(self, case):
        consultation = case.consultations.get()
        with pytest.raises(IntegrityError):
            ConsultationTopic.objects.create(
                consultation=consultation, topic=Topic.objects.get(code="W1-01"), is_main=True
            )


class TestHandoverNotes:
    def test_unread_notes_are_recent_by_others_and_not_acknowledged(
        self, center, counter_staff, coordinator
    ):
        fresh = HandoverNoteFactory(center=center, author=coordinator)
        read = HandoverNoteFactory(center=center, author=coordinator)
        read.acknowledge(counter_staff)
        read.acknowledge(counter_staff)  # twice is fine
        own = HandoverNoteFactory(center=center, author=counter_staff)
        old = HandoverNoteFactory(center=center, author=coordinator)
        HandoverNote.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=15)
        )
        unread = HandoverNote.objects.visible_to(counter_staff).unread_by(counter_staff)
        assert list(unread) == [fresh]
        assert own not in unread


class TestShortWords:
    """Search words of one and two characters, and what the index must not change."""

    @pytest.fixture
    def case(self, center, counter_staff, client_record):
        # A known summary: the factory's random Japanese text could hold any word.
        case = CaseFactory(
            center=center, client=client_record, created_by=counter_staff, title="残業代の未払い"
        )
        ConsultationFactory(case=case, summary="毎月の残業代が支払われていない")
        return case

    def test_two_character_words_match_anywhere(self, case):
        cases = Case.objects.all()
        assert case in cases.matching_text("やま")
        assert case in cases.matching_text("山田")
        assert case in cases.matching_text("残業")
        # Inside the given name, no longer only at the start (they did before bigrams).
        assert case in cases.matching_text("はな")
        assert case in cases.matching_text("ハナコ")
        assert case not in cases.matching_text("はこ")

    def test_two_character_words_of_a_summary(self, case):
        ConsultationFactory(case=case, summary="突然解雇と言われ、退職届を求められた")
        cases = Case.objects.all()
        assert case in cases.matching_text("解雇")
        assert case in cases.matching_text("退職")
        assert case in cases.matching_text("解雇 退職")
        assert case not in cases.matching_text("解雇 転勤")
        assert case not in cases.matching_text("雇解")

    def test_kana_and_width_fold_in_short_and_long_words(self, case):
        ConsultationFactory(case=case, summary="ﾊﾟﾜﾊﾗを受けている。ＯＴは月８０時間")
        cases = Case.objects.all()
        assert case in cases.matching_text("ぱわはら")
        assert case in cases.matching_text("パワ")
        assert case in cases.matching_text("ot")
        assert case in cases.matching_text("80時間")
        assert case not in cases.matching_text("パワハラ上司")

    def test_a_longer_word_needs_its_characters_in_order(self, case):
        ConsultationFactory(case=case, summary="賃金の未払いが続いている")
        cases = Case.objects.all()
        assert case in cases.matching_text("未払い")
        # Every bigram of 払未払 (払未, 未払) is in the text, the word is not.
        assert case not in cases.matching_text("払未払")

    def test_one_character_words_alone_match_the_start_of_a_name_reading_or_title(self, case):
        cases = Case.objects.all()
        assert case in cases.matching_text("や")
        assert case in cases.matching_text("山")
        assert case not in cases.matching_text("は")
        # Beside a longer word, a one-character word is looked for everywhere.
        assert case in cases.matching_text("は 残業代")
        assert case not in cases.matching_text("ぬ 残業代")

    def test_like_wildcards_typed_are_literal(self, case):
        ConsultationFactory(case=case, summary="時給が100%未満_の話")
        cases = Case.objects.all()
        assert case in cases.matching_text("100%")
        assert case in cases.matching_text("%未")
        assert case in cases.matching_text("満_")
        assert case not in cases.matching_text("残%")
        assert case not in cases.matching_text("残_")
        assert case not in cases.matching_text("1%0")
        assert case not in cases.matching_text("_")

    def test_quotes_backslashes_and_query_operators_are_searched_as_typed(self, case):
        ConsultationFactory(case=case, summary=r"上司に'辞めろ'と言われた\&|!")
        cases = Case.objects.all()
        assert case in cases.matching_text("'辞")
        assert case in cases.matching_text("ろ'と")
        assert case in cases.matching_text(r"た\&")
        assert case in cases.matching_text("&|!")
        assert case not in cases.matching_text("''")
        assert case not in cases.matching_text(r"\\")

    def test_a_renamed_client_is_found_by_the_new_name(self, case):
        client = case.client
        client.family_name, client.family_name_kana = "鈴木", "スズキ"
        client.save_edit(expected_version=client.version, fields=["family_name"])
        cases = Case.objects.all()
        assert case in cases.matching_text("鈴木")
        assert case in cases.matching_text("すずき")
        assert case not in cases.matching_text("山田")


def test_a_topic_marked_keeps_its_consultations_centre_and_time(db):
    consultation = ConsultationFactory(topics=["W1-01", "W1-10"])
    for link in ConsultationTopic.objects.filter(consultation=consultation):
        assert link.center_id == consultation.center_id
        assert link.received_at == consultation.received_at
        assert link.case_id == consultation.case_id
