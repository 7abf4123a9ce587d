from django.contrib import admin

from .models import DeletionRecord


@admin.register(DeletionRecord)
class DeletionRecordAdmin(admin.ModelAdmin):
    """The deletion records, to read only: like the audit trail, never changed."""

    list_display = ["at", "kind", "action", "center", "count", "policy", "done_by"]
    list_filter = ["kind", "center"]
    list_select_related = ["center"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # A manager reads their own centre's records, and those of no centre.
        records = super().get_queryset(request)
        if request.user.is_superuser:
            return records
        return records.filter(center__isnull=True) | records.filter(center=request.user.center_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
