import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from accounts.audit import log_action
from accounts.models import AuditEvent, Center, Role, User
from accounts.tests.factories import CenterFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_roles_migration_creates_the_four_groups_with_their_permissions():
    # Later apps grant their own permissions: only staff and centres are checked here.
    permissions = {
        group.name: set(
            group.permissions.filter(content_type__app_label__in=["accounts", "auth"]).values_list(
                "codename", flat=True
            )
        )
        for group in Group.objects.all()
    }
    assert set(permissions) == {"相談員", "コーディネーター", "管理者", "閲覧"}
    assert permissions["閲覧"] == set()
    assert {"view_user", "view_center"} <= permissions["コーディネーター"]
    assert {"add_user", "change_user", "view_auditevent"} <= permissions["管理者"]
    # Nobody but a superuser deletes staff or rewrites the audit trail.
    granted = set().union(*permissions.values())
    assert not [codename for codename in granted if codename.startswith("delete_")]
    assert "change_auditevent" not in granted


def test_center_validation_normalises_postcode_and_phone():
    center = Center(
        name="金沢", code="KNZ", postcode="〒９２００８５３", phone="０７６－２３１－７７００"
    )
    center.full_clean()
    assert (center.postcode, center.phone) == ("920-0853", "076-231-7700")


def test_center_validation_reports_each_bad_field():
    center = Center(name="金沢", code="knz", postcode="92", phone="12")
    with pytest.raises(ValidationError) as error:
        center.full_clean()
    assert set(error.value.message_dict) == {"code", "postcode", "phone"}


def test_validation_stores_the_reading_in_katakana():
    user = UserFactory.build(name_kana="やまだ　はなこ", center=None)
    user.full_clean()
    assert user.name_kana == "ヤマダ ハナコ"


def test_validation_rejects_a_reading_in_kanji():
    user = UserFactory.build(name_kana="山田", center=None)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert error.value.message_dict == {
        "name_kana": ["フリガナはひらがなかカタカナで入力してください。"]
    }


def test_input_is_normalised_before_its_length_is_checked():
    # Nine characters as typed, eight once normalised: fits max_length=8.
    center = Center(name="白山", code="HKS", postcode="〒９２４－０８８５")
    center.full_clean()
    assert center.postcode == "924-0885"


def test_normalising_and_field_errors_are_reported_together():
    center = Center(name="", code="HKS", postcode="924", phone="０７６－２７５－００００")
    with pytest.raises(ValidationError) as error:
        center.full_clean()
    assert set(error.value.message_dict) == {"name", "postcode"}
    assert center.phone == "076-275-0000"


def test_user_names_are_japanese_whole_names():
    user = UserFactory.build(name="山田 花子", username="yamada")
    assert (str(user), user.get_full_name()) == ("山田 花子", "山田 花子")
    assert user.get_short_name() == "山田"
    nameless = UserFactory.build(name="", username="yamada")
    assert (str(nameless), nameless.get_short_name()) == ("yamada", "yamada")


def test_roles_follow_the_order_of_role_whatever_the_groups():
    user = UserFactory(roles=[Role.VIEWER, Role.COUNTER])
    assert user.roles == [Role.COUNTER, Role.VIEWER]
    user.set_roles([Role.MANAGER])
    assert user.roles == [Role.MANAGER]


def test_every_role_says_what_its_holder_does():
    assert all(str(role.duties) for role in Role)


def test_new_passwords_are_hashed_with_argon2id(settings):
    from lifesupport import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = User.objects.create_user("hashed", password="a long enough passphrase", name="x")
    assert user.password.startswith("argon2$argon2id$")


def test_log_action_records_who_what_and_where(rf, coordinator):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10")
    event = log_action(
        action=AuditEvent.Action.VIEW, user=coordinator, request=request, obj=coordinator, rows=1
    )
    event.refresh_from_db()
    assert event.username == "coordinator"
    assert event.center == coordinator.center
    assert event.ip_address == "192.0.2.10"
    assert event.content_type.model == "user"
    assert event.object_id == str(coordinator.pk)
    assert event.detail == {"rows": 1}


def test_audit_events_are_append_only(coordinator):
    event = log_action(action=AuditEvent.Action.VIEW, user=coordinator)
    event.detail = {"forged": True}
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == {}


def test_staff_with_audit_events_cannot_be_deleted(coordinator):
    from django.db.models import ProtectedError

    log_action(action=AuditEvent.Action.LOGIN, user=coordinator)
    with pytest.raises(ProtectedError):
        coordinator.delete()


def test_center_factory_reuses_a_centre_by_code():
    assert CenterFactory(code="KNZ") == CenterFactory(code="KNZ")
