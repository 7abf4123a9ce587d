from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Center, User


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone", "address", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "address"]

    def get_readonly_fields(self, request, obj=None):
        # The code identifies the centre in exports and numbers: fixed once created.
        return ["code"] if obj else []


class StaffCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "name", "name_kana", "email", "center"]


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "name", "center", "roles", "is_active", "last_login"]
    list_filter = ["center", "groups", "is_active", "is_staff"]
    list_select_related = ["center"]
    search_fields = ["username", "name", "name_kana", "email"]
    ordering = ["center", "name_kana"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Profile"), {"fields": ["name", "name_kana", "email", "center"]}),
        (
            _("Roles and access"),
            {"fields": ["is_active", "groups", "is_staff", "is_superuser", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "name",
                    "name_kana",
                    "email",
                    "center",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups")
        # A manager may not edit (and so take over) a superuser's account.
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        # Only superusers hand out superuser status or permissions outside the roles.
        return [*self.readonly_fields, "is_superuser", "user_permissions"]

    @admin.display(description=_("roles"))
    def roles(self, user):
        return "、".join(user.role_names)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, to read only: nobody adds, changes or deletes a line."""

    list_display = ["at", "action", "username", "user", "center", "ip_address", "record"]
    list_filter = ["action", "center"]
    list_select_related = ["user", "center", "content_type"]
    search_fields = ["username", "ip_address", "object_id"]
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description=_("record"))
    def record(self, event):
        if event.content_type is None:
            return "—"
        return f"{event.content_type.name} #{event.object_id}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
