import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.audit import log_action
from accounts.models import AuditEvent

from .hsds.export import export_directory
from .hsds.forms import HSDSUploadForm
from .hsds.importer import import_file
from .models import (
    Category,
    Contact,
    Municipality,
    Organisation,
    Prefecture,
    Schedule,
    Service,
    Topic,
    verification_cutoff,
)

# Addresses typed without a scheme are taken as https, Django 6.0's default.
HTTPS_BY_DEFAULT = {models.URLField: {"assume_scheme": "https"}}


class FixedCodeAdmin(admin.ModelAdmin):
    """Codes identify rows in statistics, exports and HSDS: fixed once created."""

    def get_readonly_fields(self, request, obj=None):
        return ["code", *super().get_readonly_fields(request, obj)] if obj else []


@admin.register(Prefecture)
class PrefectureAdmin(FixedCodeAdmin):
    list_display = ["code", "name", "is_served"]
    list_editable = ["is_served"]
    list_filter = ["is_served"]
    search_fields = ["name", "kana"]


@admin.register(Municipality)
class MunicipalityAdmin(FixedCodeAdmin):
    list_display = ["code", "name", "kana", "prefecture"]
    list_filter = ["prefecture__is_served", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["code", "name", "kana"]

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete on services: offer the region served first.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.order_by("-prefecture__is_served", "code"), may_have_duplicates


@admin.register(Category)
class CategoryAdmin(FixedCodeAdmin):
    list_display = ["code", "name", "domain", "sort_order"]
    list_filter = ["domain"]
    search_fields = ["code", "name"]


@admin.register(Topic)
class TopicAdmin(FixedCodeAdmin):
    list_display = ["code", "name", "category", "rengo_category", "mhlw_category", "lsc_field"]
    list_filter = ["category__domain", "category", "lsc_field", "rengo_category", "is_active"]
    list_select_related = ["category"]
    search_fields = ["code", "name"]
    fieldsets = [
        (None, {"fields": ["code", "category", "name", "sort_order", "is_active"]}),
        (
            _("Statistics"),
            {
                "fields": [
                    "rengo_category",
                    "rengo_item",
                    "mhlw_category",
                    "mhlw_separate_count",
                    "poverty_topic",
                    "lsc_field",
                ]
            },
        ),
    ]


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("due", _("Not verified for 12 months")), ("recent", _("Verified this year"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.not_verified_since(verification_cutoff())
        if self.value() == "recent":
            return queryset.filter(verified_on__gte=verification_cutoff())
        return queryset


class ServiceInline(admin.TabularInline):
    model = Service
    fields = ["name", "status", "fee", "serves_all_areas"]
    extra = 0
    show_change_link = True


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "name_kana", "qualification", "title", "phone", "email", "is_active"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "tie", "municipality", "phone", "verified_on", "is_active"]
    list_filter = ["kind", "tie", "is_active", VerificationFilter]
    list_select_related = ["municipality"]
    search_fields = ["name", "name_kana", "aliases", "phone", "email"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["hsds_id", "verified_on", "verified_by", "updated_at"]
    inlines = [ServiceInline, ContactInline]
    formfield_overrides = HTTPS_BY_DEFAULT
    actions = ["mark_verified"]
    fieldsets = [
        (None, {"fields": ["name", "name_kana", "aliases", "kind", "description", "is_active"]}),
        (
            _("Address and contact"),
            {"fields": ["postcode", "address", "municipality", "phone", "email", "website"]},
        ),
        (_("Tie with the centre"), {"fields": ["tie", "agreement_date", "staff_notes"]}),
        (_("Verification"), {"fields": ["verified_on", "verified_by", "updated_at", "hsds_id"]}),
    ]

    @admin.action(description=_("Mark as verified today"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        for organisation in queryset:
            organisation.verify(by=request.user)
        count = len(queryset)
        message = ngettext(
            "%(count)d entry marked verified.", "%(count)d entries marked verified.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def has_verify_permission(self, request):
        return request.user.has_perm("network.verify_organisation")

    def get_urls(self):
        hsds = [
            path(
                "hsds/export/",
                self.admin_site.admin_view(self.hsds_export),
                name="network_organisation_hsds_export",
            ),
            path(
                "hsds/import/",
                self.admin_site.admin_view(self.hsds_import),
                name="network_organisation_hsds_import",
            ),
        ]
        return hsds + super().get_urls()

    def _check_hsds_permission(self, request):
        if not request.user.has_perm("network.exchange_hsds"):
            raise PermissionDenied

    def hsds_export(self, request):
        """The whole directory as an HSDS 3.0 JSON download (staff notes left out)."""
        self._check_hsds_permission(request)
        with transaction.atomic():
            page = export_directory()
            log_action(
                action=AuditEvent.Action.EXPORT,
                user=request.user,
                request=request,
                count=page["total_items"],
            )
        response = HttpResponse(
            json.dumps(page, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = f"lifesupport-hsds-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def hsds_import(self, request):
        """Upload an HSDS file: all or nothing, every error listed with its place."""
        self._check_hsds_permission(request)
        form = HSDSUploadForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = self._import_upload(request, form.cleaned_data)
            if report.ok:
                self.message_user(request, report.summary(), messages.SUCCESS)
                for problem in report.warnings[:20]:
                    self.message_user(request, str(problem), messages.WARNING)
                return redirect(
                    "admin:network_organisation_changelist"
                    if report.saved
                    else "admin:network_organisation_hsds_import"
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Upload an HSDS file"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/network/organisation/hsds_import.html", context)

    def _import_upload(self, request, data):
        with transaction.atomic():  # the audit entry commits with the import, or neither
            report = import_file(data["file"].read(), dry_run=data["dry_run"])
            if report.saved:
                log_action(
                    action=report.audit_action,
                    user=request.user,
                    request=request,
                    **report.counts(),
                )
        return report


class ScheduleInline(admin.TabularInline):
    model = Schedule
    fields = [
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "opens_at",
        "closes_at",
        "valid_from",
        "valid_to",
        "closed_on_holidays",
        "description",
    ]
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "status", "fee", "serves_all_areas"]
    list_filter = ["status", "fee", "serves_all_areas", "topics__category"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name", "organisation__name_kana"]
    autocomplete_fields = ["organisation", "topics", "areas"]
    readonly_fields = ["hsds_id", "updated_at"]
    inlines = [ScheduleInline]
    formfield_overrides = HTTPS_BY_DEFAULT
    fieldsets = [
        (None, {"fields": ["organisation", "name", "description", "status", "topics"]}),
        (_("Areas served"), {"fields": ["serves_all_areas", "areas"]}),
        (
            _("Use"),
            {
                "fields": [
                    "eligibility",
                    "fee",
                    "fee_note",
                    "how_to_apply",
                    "languages",
                    "capacity_note",
                    "follow_up_days",
                ]
            },
        ),
        (_("Contact"), {"fields": ["phone", "email", "url"]}),
        (None, {"fields": ["updated_at", "hsds_id"]}),
    ]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "qualification", "organisation", "service", "phone", "is_active"]
    list_filter = ["qualification", "preferred_channel", "is_active"]
    list_select_related = ["organisation", "service"]
    search_fields = ["name", "name_kana", "organisation__name"]
    autocomplete_fields = ["organisation", "service"]
