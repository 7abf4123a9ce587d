from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Benefit, Fee, Member, MembershipType, Payment


@admin.register(MembershipType)
class MembershipTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "holder",
        "annual_fee",
        "expires",
        "grace_months",
        "admin_only",
        "is_active",
        "sort_order",
    ]
    list_editable = ["sort_order"]
    list_filter = ["holder", "expires", "admin_only", "is_active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # The code identifies the type in imports and statistics: fixed once created.
        return ["code"] if obj else []


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ["partner", "title", "valid_from", "valid_until", "is_active"]
    list_filter = ["is_active", "membership_types"]
    list_select_related = ["partner"]
    search_fields = ["title", "partner__name", "partner__name_kana"]
    autocomplete_fields = ["partner"]
    filter_horizontal = ["membership_types"]


class FeeInline(admin.TabularInline):
    model = Fee
    fields = ["fiscal_year", "amount", "paid", "waived", "waive_reason"]
    readonly_fields = ["paid"]
    extra = 0
    show_change_link = True


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "name_kana",
        "membership_type",
        "union",
        "joined_on",
        "left_on",
    ]
    list_filter = ["center", "membership_type", "is_retired", "left_on"]
    list_select_related = ["membership_type"]
    search_fields = ["number", "name", "name_kana", "contact_person", "union"]
    readonly_fields = ["number", "municipality", "created_at", "updated_at"]
    inlines = [FeeInline]
    fieldsets = [
        (None, {"fields": ["center", "number", "membership_type", "name", "name_kana"]}),
        (
            _("Person or organisation"),
            {"fields": ["birth_date", "contact_person", "union", "is_retired"]},
        ),
        (
            _("Address and contact"),
            {"fields": ["postcode", "address", "municipality", "phone", "email"]},
        ),
        (
            _("Membership"),
            {"fields": ["joined_on", "left_on", "leave_reason", "leave_note", "notes"]},
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # A member stays at its centre: numbers carry the centre's code.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "center"] if obj else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assign_number()
        super().save_model(request, obj, form, change)


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ["paid_on", "amount", "method", "receipt_number", "recorded_by"]
    readonly_fields = ["recorded_by"]
    extra = 0


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = ["member", "fiscal_year", "amount", "paid", "waived"]
    list_filter = ["fiscal_year", "waived", "member__center"]
    list_select_related = ["member"]
    search_fields = ["member__number", "member__name"]
    readonly_fields = ["member", "paid"]
    inlines = [PaymentInline]

    def has_add_permission(self, request):
        # Fees come from registration, renewal and the yearly dues: no stray ones.
        return False

    def save_formset(self, request, form, formset, change):
        for payment in formset.save(commit=False):
            payment.recorded_by = payment.recorded_by or request.user
            payment.save()
        for payment in formset.deleted_objects:
            payment.delete()
        form.instance.refresh_paid()
