"""The referral pages: finding the partner, each step, the sheet and the panels."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultations.models import Case, CaseEvent
from consultations.tests.factories import ConsentFactory
from network.calendar_jp import add_business_days
from referrals.models import FollowUp, ProvisionRecord, Referral
from referrals.tests.factories import FollowUpFactory, ReferralFactory, referral_in


def detail(referral):
    return reverse("referrals:referral-detail", args=[referral.pk])


class TestFindAndRefer:
    def test_the_finder_starts_with_the_case_topic_and_the_client_area(
        self, client, coordinator, case, labour_service
    ):
        case.main_topic = labour_service.topics.get(code="W2-01")
        case.save()
        case.client.municipality = labour_service.areas.get()
        case.client.save()
        client.force_login(coordinator)
        response = client.get(reverse("referrals:referral-create", args=[case.number]))
        assert response.status_code == 200
        assert response.context["finder"].data == {"topic": "W2-01", "area": "17201"}
        assert [o.name for o in response.context["page"]] == ["金沢労働基準監督署"]

    def test_choosing_a_service_with_consent_drafts_a_named_referral(
        self, client, coordinator, case, labour_service, labour_contact, consent
    ):
        client.force_login(coordinator)
        url = reverse("referrals:referral-create", args=[case.number])
        page = client.get(url, {"service": labour_service.pk})
        assert page.context["consent"] == consent
        response = client.post(
            url,
            {"service": labour_service.pk, "contact": labour_contact.pk, "need": "残業代の請求"},
        )
        referral = Referral.objects.get()
        assert response.status_code == 302
        assert response.url == detail(referral)
        assert referral.status == Referral.Status.DRAFT
        assert referral.consent == consent
        assert not referral.is_anonymous
        assert referral.contact == labour_contact
        assert referral.sheet.need == "残業代の請求"
        assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count() == 1

    def test_row_40_without_consent_only_an_anonymous_enquiry_is_possible(
        self, client, coordinator, case, labour_service
    ):
        client.force_login(coordinator)
        url = reverse("referrals:referral-create", args=[case.number])
        refused = client.post(url, {"service": labour_service.pk, "need": "残業代の請求"})
        assert refused.status_code == 200
        assert refused.context["form"].non_field_errors()
        assert not Referral.objects.exists()
        assert not ProvisionRecord.objects.exists()
        client.post(url, {"service": labour_service.pk, "need": "残業代", "anonymous": "on"})
        referral = Referral.objects.get()
        assert referral.is_anonymous
        assert referral.consent is None

    def test_a_withdrawn_consent_blocks_again(
        self, client, coordinator, case, labour_service, consent
    ):
        consent.withdraw(by=coordinator)
        client.force_login(coordinator)
        url = reverse("referrals:referral-create", args=[case.number])
        client.post(url, {"service": labour_service.pk, "need": "残業代の請求"})
        assert not Referral.objects.exists()

    def test_a_kind_wide_consent_covers_the_office(
        self, client, coordinator, case, labour_service, client_record, labour_office
    ):
        ConsentFactory(client=client_record, kind=labour_office.kind, recorded_by=coordinator)
        client.force_login(coordinator)
        url = reverse("referrals:referral-create", args=[case.number])
        client.post(url, {"service": labour_service.pk, "need": "残業代の請求"})
        assert not Referral.objects.get().is_anonymous

    @pytest.mark.parametrize("service", ["x", "²", "999999", ""])
    def test_a_bad_service_id_is_ignored(self, client, coordinator, case, service):
        client.force_login(coordinator)
        url = reverse("referrals:referral-create", args=[case.number])
        response = client.get(url, {"service": service})
        assert response.status_code == 200
        assert response.context["service"] is None
        assert client.post(url, {"service": service, "need": "x"}).status_code == 200
        assert not Referral.objects.exists()

    def test_a_closed_case_is_not_referred(self, client, coordinator, case):
        case.close(reason=Case.ClosedReason.RESOLVED, by=coordinator)
        client.force_login(coordinator)
        response = client.get(reverse("referrals:referral-create", args=[case.number]))
        assert response.status_code == 302
        assert response.url == case.get_absolute_url()

    def test_the_finder_runs_a_fixed_number_of_queries(
        self, client, coordinator, case, django_assert_num_queries
    ):
        from network.tests.factories import ScheduleFactory, ServiceFactory

        client.force_login(coordinator)
        url = reverse("referrals:referral-create", args=[case.number])
        client.get(url)  # the session's once-a-minute refresh, not counted below
        for count in (1, 15):
            for _ in range(count):
                ScheduleFactory(service=ServiceFactory(topics=["W2-01"], areas=["17201"]))
            # ...and the second factor's device (django-otp), on every signed-in request;
            # the user's centre and permissions in two queries (accounts.backends). The
            # finder's topics and areas come from the cache after the first request.
            with django_assert_num_queries(11):
                assert client.get(url, {"topic": "W2", "area": "17201"}).status_code == 200


class TestSteps:
    def test_asked_by_phone_writes_the_record_of_provision(self, client, coordinator, referral):
        client.force_login(coordinator)
        url = reverse("referrals:referral-ask", args=[referral.pk])
        response = client.post(url, {"channel": "phone", "comment": "北村さんに電話"})
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ASKED
        assert referral.case.status == Case.Status.REFERRING
        record = ProvisionRecord.objects.get()
        assert record.client == referral.case.client
        assert "金沢労働基準監督署" in record.recipient

    def test_the_answer_taken_by_phone(self, client, coordinator, referral):
        referral_in(Referral.Status.ASKED, referral)
        client.force_login(coordinator)
        url = reverse("referrals:referral-answer", args=[referral.pk])
        no_reason = client.post(url, {"answer": "decline", "channel": "phone"})
        assert no_reason.status_code == 400
        assert "decline_reason" in no_reason.context["answer_form"].errors
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ASKED
        client.post(url, {"answer": "accept", "channel": "phone", "comment": "来週可"})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED
        assert referral.steps.last().comment == "来週可"

    def test_marking_referred_sets_the_follow_up_date(self, client, coordinator, referral):
        referral_in(Referral.Status.ACCEPTED, referral)
        client.force_login(coordinator)
        page = client.get(detail(referral))
        today = timezone.localdate()
        default = add_business_days(today, 5)
        assert page.context["referred_form"].initial["follow_up_on"] == default
        client.post(
            reverse("referrals:referral-referred", args=[referral.pk]),
            {
                "appointment_at": "2026-12-03T10:00",
                "place": "本町庁舎2階",
                "with_whom": "北村",
                "follow_up_on": default.isoformat(),
            },
        )
        referral.refresh_from_db()
        assert referral.status == Referral.Status.REFERRED
        assert referral.follow_up_on == default
        assert referral.case.status == Case.Status.FOLLOW_UP
        assert referral.appointment_place == "本町庁舎2階"

    def test_a_chosen_follow_up_date_is_kept_and_a_past_one_refused(
        self, client, coordinator, referral
    ):
        referral_in(Referral.Status.ACCEPTED, referral)
        client.force_login(coordinator)
        url = reverse("referrals:referral-referred", args=[referral.pk])
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        assert client.post(url, {"follow_up_on": yesterday.isoformat()}).status_code == 400
        later = timezone.localdate() + datetime.timedelta(days=20)
        client.post(url, {"follow_up_on": later.isoformat()})
        referral.refresh_from_db()
        assert referral.follow_up_on == later

    def test_a_follow_up_then_the_outcome(self, client, counter_staff, coordinator, referral):
        referral_in(Referral.Status.REFERRED, referral)
        today = timezone.localdate()
        client.force_login(counter_staff)
        url = reverse("referrals:referral-follow-up", args=[referral.pk])
        data = {"done_on": today, "method": "visit", "spoke_with": "client", "note": "面談済み"}
        missing_next = client.post(url, data)
        assert missing_next.status_code == 400
        next_on = today + datetime.timedelta(days=7)
        client.post(url, {**data, "next_on": next_on})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.FOLLOWING_UP
        assert referral.follow_up_on == next_on
        client.post(url, {**data, "note": "解決したとのこと", "outcome": "resolved"})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.COMPLETED
        assert referral.outcome == Referral.Outcome.RESOLVED
        assert referral.follow_up_on is None
        assert FollowUp.objects.filter(referral=referral).count() == 2

    def test_a_move_the_status_no_longer_allows_is_refused_with_a_message(
        self, client, coordinator, referral
    ):
        referral_in(Referral.Status.CANCELLED, referral)
        client.force_login(coordinator)
        response = client.post(
            reverse("referrals:referral-ask", args=[referral.pk]), {"channel": "phone"}
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == Referral.Status.CANCELLED
        assert not ProvisionRecord.objects.exists()

    def test_cancel_needs_a_reason(self, client, coordinator, referral):
        client.force_login(coordinator)
        url = reverse("referrals:referral-cancel", args=[referral.pk])
        assert client.post(url, {"comment": ""}).status_code == 400
        client.post(url, {"comment": "本人が取り下げ"})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.CANCELLED


class TestSheet:
    def test_editing_takes_back_the_approval(self, client, coordinator, referral):
        referral.sheet.approve(by=coordinator)
        client.force_login(coordinator)
        url = reverse("referrals:sheet-edit", args=[referral.pk])
        form = client.get(url).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        data["client_wishes"] = "早く未払い分を受け取りたい"
        assert client.post(url, data).status_code == 302
        referral.sheet.refresh_from_db()
        assert referral.sheet.client_wishes == "早く未払い分を受け取りたい"
        assert not referral.sheet.is_approved

    def test_a_stale_edit_is_refused(self, client, coordinator, referral):
        client.force_login(coordinator)
        url = reverse("referrals:sheet-edit", args=[referral.pk])
        form = client.get(url).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        sheet = referral.sheet
        sheet.history = "別の職員が書き足した"
        sheet.save()
        data["client_wishes"] = "上書きしようとした"
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        sheet.refresh_from_db()
        assert sheet.client_wishes == ""

    def test_an_anonymous_sheet_cannot_name_the_client(
        self, client, coordinator, anonymous_referral
    ):
        client.force_login(coordinator)
        url = reverse("referrals:sheet-edit", args=[anonymous_referral.pk])
        form = client.get(url).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        for leak in ("やまだ はなこさん", "ﾔﾏﾀﾞ", "090-1234-5678"):
            response = client.post(url, {**data, "history": leak})
            assert response.status_code == 200, leak
            assert response.context["form"].non_field_errors()
        anonymous_referral.sheet.refresh_from_db()
        assert "1234" not in anonymous_referral.sheet.history

    def test_approve_and_print(self, client, coordinator, referral):
        client.force_login(coordinator)
        client.post(reverse("referrals:sheet-approve", args=[referral.pk]))
        referral.sheet.refresh_from_db()
        assert referral.sheet.approved_by == coordinator
        page = client.get(reverse("referrals:sheet-print", args=[referral.pk]))
        html = page.content.decode()
        assert "山田 花子" in html
        assert "handoff-sheet" in html

    def test_the_printed_anonymous_sheet_names_nobody(
        self, client, coordinator, anonymous_referral
    ):
        # Written straight into the database: even then the print leaves them out.
        sheet = anonymous_referral.sheet
        sheet.history = "山田花子さん（ヤマダ）090-1234-5678"
        sheet.save()
        client.force_login(coordinator)
        html = client.get(reverse("referrals:sheet-print", args=[anonymous_referral.pk]))
        html = html.content.decode()
        for leak in ("山田", "花子", "ヤマダ", "1234"):
            assert leak not in html


class TestPanels:
    def test_the_case_page_loads_the_referral_panel(self, client, counter_staff, referral):
        referral_in(Referral.Status.REFERRED, referral)
        FollowUpFactory(referral=referral, note="予約が取れた")
        client.force_login(counter_staff)
        page = client.get(referral.case.get_absolute_url()).content.decode()
        panel_url = reverse("referrals:case-referrals", args=[referral.case.number])
        assert f'hx-get="{panel_url}"' in page
        panel = client.get(panel_url, headers={"HX-Request": "true"}).content.decode()
        assert "金沢労働基準監督署" in panel
        assert "予約が取れた" in panel
        assert "<html" not in panel
        assert "<html" in client.get(panel_url).content.decode()

    def test_the_intake_shows_the_open_referral_of_a_returning_client(
        self, client, counter_staff, referral
    ):
        referral_in(Referral.Status.REFERRED, referral)
        client.force_login(counter_staff)
        url = reverse("referrals:client-referrals", args=[referral.case.client.pk])
        panel = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert "金沢労働基準監督署" in panel
        intake = client.get(reverse("consultations:intake"), {"client": referral.case.client.pk})
        assert f'hx-get="{url}"' in intake.content.decode()

    def test_the_case_timeline_shows_the_referral_steps(self, client, coordinator, referral):
        referral_in(Referral.Status.ACCEPTED, referral)
        client.force_login(coordinator)
        timeline = client.get(referral.case.get_absolute_url()).context["timeline"]
        kinds = [entry.item.new_value for entry in timeline if entry.kind == "referral"]
        assert kinds == [Referral.Status.ASKED.label, Referral.Status.ACCEPTED.label]
        assert CaseEvent.objects.filter(kind=CaseEvent.Kind.REFERRAL).count() == 2


class TestBudgets:
    def test_the_referral_page_runs_a_fixed_number_of_queries(
        self, client, coordinator, referral, django_assert_max_num_queries
    ):
        referral_in(Referral.Status.REFERRED, referral)
        client.force_login(coordinator)
        for count in (1, 20):
            for _ in range(count):
                FollowUpFactory(referral=referral)
            with django_assert_max_num_queries(16):
                assert client.get(detail(referral)).status_code == 200

    def test_the_panels_run_a_fixed_number_of_queries(
        self, client, coordinator, case, labour_service, django_assert_max_num_queries
    ):
        client.force_login(coordinator)
        for count in (1, 12):
            for _ in range(count):
                FollowUpFactory(referral=referral_in("referred", case=case, service=labour_service))
            # (10 with the second factor's device, django-otp, on every signed-in request)
            with django_assert_max_num_queries(11):
                client.get(
                    reverse("referrals:case-referrals", args=[case.number]),
                    headers={"HX-Request": "true"},
                )
            with django_assert_max_num_queries(11):
                client.get(
                    reverse("referrals:client-referrals", args=[case.client.pk]),
                    headers={"HX-Request": "true"},
                )


PAGES = [
    ("referrals:referral-detail", "referral", "get"),
    ("referrals:sheet-edit", "referral", "get"),
    ("referrals:sheet-print", "referral", "get"),
    ("referrals:referral-create", "case", "get"),
    ("referrals:case-referrals", "case", "get"),
    ("referrals:client-referrals", "client", "get"),
    ("referrals:referral-ask", "referral", "post"),
    ("referrals:referral-answer", "referral", "post"),
    ("referrals:referral-referred", "referral", "post"),
    ("referrals:referral-follow-up", "referral", "post"),
    ("referrals:referral-cancel", "referral", "post"),
    ("referrals:sheet-approve", "referral", "post"),
]


def _args(kind, referral):
    return {
        "referral": [referral.pk],
        "case": [referral.case.number],
        "client": [referral.case.client.pk],
    }[kind]


class TestDenials:
    @pytest.mark.parametrize(("name", "kind", "method"), PAGES)
    def test_anonymous_users_go_to_the_login_page(self, client, referral, name, kind, method):
        response = getattr(client, method)(reverse(name, args=_args(kind, referral)))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    @pytest.mark.parametrize("persona", ["viewer", "manager"])
    @pytest.mark.parametrize(("name", "kind", "method"), PAGES)
    def test_roles_without_referrals_get_403(
        self, client, request, referral, persona, name, kind, method
    ):
        client.force_login(request.getfixturevalue(persona))
        response = getattr(client, method)(reverse(name, args=_args(kind, referral)))
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "name",
        [
            "referrals:referral-create",
            "referrals:referral-ask",
            "referrals:referral-answer",
            "referrals:referral-referred",
            "referrals:referral-cancel",
            "referrals:sheet-edit",
            "referrals:sheet-approve",
        ],
    )
    def test_counter_staff_do_not_move_referrals(self, client, counter_staff, referral, name):
        client.force_login(counter_staff)
        kind = "case" if name == "referrals:referral-create" else "referral"
        response = client.post(reverse(name, args=_args(kind, referral)), {"channel": "phone"})
        assert response.status_code == 403
        referral.refresh_from_db()
        assert referral.status == Referral.Status.DRAFT

    @pytest.mark.parametrize(("name", "kind", "method"), PAGES)
    def test_another_centre_gets_404_and_nothing_changes(
        self, client, coordinator_elsewhere, referral, name, kind, method
    ):
        client.force_login(coordinator_elsewhere)
        response = getattr(client, method)(
            reverse(name, args=_args(kind, referral)),
            {"channel": "phone", "comment": "x", "answer": "accept"},
        )
        assert response.status_code == 404
        referral.refresh_from_db()
        assert referral.status == Referral.Status.DRAFT
        assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).exists()

    def test_a_restricted_case_referral_is_hidden_from_other_counter_staff(
        self, client, counter_staff, restricted_case, labour_service
    ):
        referral = ReferralFactory(case=restricted_case, service=labour_service)
        client.force_login(counter_staff)
        assert client.get(detail(referral)).status_code == 404
        panel = reverse("referrals:case-referrals", args=[restricted_case.number])
        assert client.get(panel).status_code == 404

    @pytest.mark.parametrize(
        "name",
        [
            "referrals:referral-ask",
            "referrals:referral-answer",
            "referrals:referral-referred",
            "referrals:referral-follow-up",
            "referrals:referral-cancel",
            "referrals:sheet-approve",
        ],
    )
    def test_get_on_a_post_only_step_is_405(self, client, coordinator, referral, name):
        client.force_login(coordinator)
        assert client.get(reverse(name, args=[referral.pk])).status_code == 405
