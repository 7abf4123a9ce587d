from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .audit import log_action
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
        (_("Dates"), {"fields": ["last_login", "date_joined", "open_sessions"]}),
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
    readonly_fields = ["last_login", "date_joined", "open_sessions"]
    actions = ["end_sessions"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups")
        # A manager may not edit (and so take over) a superuser's account.
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        if obj == request.user and not obj.is_active:
            # Saving ended all their sessions, this one too: log out here as well, or the
            # end of this request would find its session gone (a 400 page).
            logout(request)
        return response

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        # Only superusers hand out superuser status or permissions outside the roles.
        return [*self.readonly_fields, "is_superuser", "user_permissions"]

    @admin.display(description=_("roles"))
    def roles(self, user):
        return "、".join(user.role_names)

    @admin.display(description=_("logged in now"))
    def open_sessions(self, user):
        """Where and since when the person is logged in; the list's action ends them."""
        sessions = user.sessions.current()
        if not sessions:
            return "—"
        return format_html(
            "<ul class='mb-0'>{}</ul>",
            format_html_join(
                "",
                "<li>{} {} {}</li>",
                (
                    (
                        f"{timezone.localtime(session.started_at):%Y-%m-%d %H:%M}",
                        session.ip_address or "",
                        session.user_agent,
                    )
                    for session in sessions
                ),
            ),
        )

    @admin.action(description=_("End sessions"), permissions=["change"])
    def end_sessions(self, request, queryset):
        """Log the chosen staff out everywhere (a shared PC left logged in, a stolen
        laptop). The manager's own session here stays."""
        ended = 0
        for user in queryset:
            count = user.sessions.exclude(session_key=request.session.session_key).end()
            if count:
                log_action(
                    action=AuditEvent.Action.CHANGE,
                    user=request.user,
                    request=request,
                    obj=user,
                    ended_sessions=count,
                )
            ended += count
        self.message_user(
            request,
            ngettext("%(count)d session ended.", "%(count)d sessions ended.", ended)
            % {"count": ended},
        )


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
