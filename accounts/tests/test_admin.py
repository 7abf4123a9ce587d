import re

import pytest
from django.urls import reverse

from accounts.audit import log_action
from accounts.models import AuditEvent
from accounts.tests.factories import DEMO_PASSWORD, TOTPDeviceFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db


def test_the_back_office_is_in_japanese(client, manager):
    client.force_login(manager)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "ライフサポート 管理画面" in response.text


def test_counter_staff_cannot_open_the_back_office(client, counter_staff):
    client.force_login(counter_staff)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_managers_keep_staff_accounts(client, manager, center):
    client.force_login(manager)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "name": "新井 花",
            "name_kana": "あらい はな",
            "email": "arai@example.jp",
            "center": center.pk,
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    newcomer = manager.__class__.objects.get(username="newcomer")
    assert (newcomer.name_kana, newcomer.center) == ("アライ ハナ", center)


def test_managers_cannot_make_anyone_a_superuser(client, manager, counter_staff):
    client.force_login(manager)
    url = reverse("admin:accounts_user_change", args=[counter_staff.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_managers_cannot_see_superusers(client, manager):
    boss = UserFactory(is_superuser=True, is_staff=True, center=manager.center)
    client.force_login(manager)
    changelist = client.get(reverse("admin:accounts_user_changelist"))
    assert boss not in changelist.context["cl"].result_list
    change = client.get(reverse("admin:accounts_user_change", args=[boss.pk]))
    assert change.status_code == 302  # the admin's "does not exist" redirect


def test_the_audit_trail_is_read_only_even_for_superusers(client, manager):
    event = log_action(action=AuditEvent.Action.LOGIN, user=manager)
    boss = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(boss)

    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    delete_url = reverse("admin:accounts_auditevent_delete", args=[event.pk])
    assert client.get(delete_url).status_code == 403
    detail = client.get(reverse("admin:accounts_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="action"' not in detail.text


def test_managers_add_a_centre_typed_in_full_width_and_its_code_stays_fixed(client, manager):
    from accounts.models import Center

    client.force_login(manager)
    response = client.post(
        reverse("admin:accounts_center_add"),
        {
            "name": "白山ライフサポートセンター",
            "code": "HKS",
            "postcode": "〒９２４－０８８５",
            "address": "石川県白山市倉光2-1",
            "phone": "０７６－２７５－００００",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    center = Center.objects.get(code="HKS")
    assert (center.postcode, center.phone) == ("924-0885", "076-275-0000")

    change = client.get(reverse("admin:accounts_center_change", args=[center.pk]))
    assert "code" not in change.context["adminform"].form.fields
    # The box takes the longer typed form; what is stored fits max_length=8.
    postcode_input = re.search(r'<input[^>]*name="postcode"[^>]*>', change.text).group()
    assert 'value="924-0885"' in postcode_input
    assert 'maxlength="20"' in postcode_input


def test_a_bad_postcode_in_the_back_office_gets_a_japanese_message(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("admin:accounts_center_add"),
        {"name": "テスト", "code": "TST", "postcode": "924", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "郵便番号は7桁の数字で入力してください" in response.text


def test_row_20_a_password_only_session_gets_the_back_office_login_with_the_code(client, manager):
    TOTPDeviceFactory(user=manager)
    client.force_login(manager, verified=False)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    login_page = client.get(response.url)
    assert login_page.status_code == 200
    assert 'name="otp_token"' in login_page.text


def test_row_8_and_20_the_back_office_login_needs_the_code_as_well(client, manager):
    app = TOTPDeviceFactory(user=manager)
    credentials = {"username": "manager", "password": DEMO_PASSWORD}

    without = client.post(reverse("admin:login"), credentials)
    assert without.status_code == 200
    assert "_auth_user_id" not in client.session

    wrong = client.post(
        reverse("admin:login"),
        {**credentials, "otp_device": app.persistent_id, "otp_token": "000000x"},
        REMOTE_ADDR="192.0.2.30",
    )
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    app.throttle_reset()  # skip the second's wait after a wrong code

    with_code = client.post(
        reverse("admin:login"),
        {**credentials, "otp_device": app.persistent_id, "otp_token": totp_code(app)},
        REMOTE_ADDR="192.0.2.30",
    )
    assert with_code.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    # Audited like the login's code step: the wrong code and the passed second factor.
    events = AuditEvent.objects.filter(action__startswith="otp_").order_by("pk")
    assert [(event.action, event.user, event.ip_address) for event in events] == [
        ("otp_failed", manager, "192.0.2.30"),
        ("otp_verified", manager, "192.0.2.30"),
    ]


def test_row_20_managers_keep_the_back_office_after_the_code_step(client, manager):
    # Managers (staff, not superusers) are the back office's users: a verified session
    # opens it; counter staff (not staff) never do, see above.
    client.force_login(manager)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_row_20_the_back_office_path_comes_from_the_environment():
    from tests.test_settings import run_python

    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    assert run_python(code, DJANGO_DEBUG="true").stdout.strip() == "/admin/"
    moved = run_python(code, DJANGO_DEBUG="true", DJANGO_ADMIN_URL="/back-office-7f3/")
    assert moved.stdout.strip() == "/back-office-7f3/", moved.stderr
