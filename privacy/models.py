"""削除・廃棄の記録: what the retention job deleted or anonymised, and under which rule."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import scoped_to_center


class DeletionRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to_center(self, user)


class DeletionRecord(models.Model):
    """One purge of one kind of record at one centre (通則編 10-3(2)・10-5(4): the
    disposal is recorded). It holds ids, case numbers and counts, never what the records
    said, and like the audit trail it is never changed or deleted."""

    class Kind(models.TextChoices):
        CASE = "case", _("Closed cases")
        CLIENT = "client", _("Clients with no case left")
        PROVISION_RECORD = "provision_record", _("Records of provision")
        HANDOVER_NOTE = "handover_note", _("Hand-over notes")
        PARTNER_LINK = "partner_link", _("Partner answer links")
        FOLLOW_UP_REMINDER = "follow_up_reminder", _("Follow-up reminder marks")
        SAVE_RECEIPT = "save_receipt", _("Save receipts")

    class Action(models.TextChoices):
        DELETED = "deleted", _("Deleted")
        ANONYMISED = "anonymised", _("Anonymised")

    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("kind of record"), max_length=20, choices=Kind)
    action = models.CharField(_("how disposed of"), max_length=10, choices=Action)
    # Empty for records that belong to no centre (save receipts, reminder marks).
    center = models.ForeignKey(
        "accounts.Center",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("centre"),
    )
    count = models.PositiveIntegerField(_("number of records"))
    # Case numbers or ids; empty for technical rows that concern nobody.
    identifiers = models.JSONField(
        _("which records"), default=list, blank=True, encoder=DjangoJSONEncoder
    )
    policy = models.CharField(_("retention rule"), max_length=200)
    cutoff = models.DateTimeField(_("older than"))
    done_by = models.CharField(_("done by"), max_length=150)

    objects = DeletionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("deletion record")
        verbose_name_plural = _("deletion records")
        indexes = [models.Index(fields=["center", "-at"], name="deletion_center_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()} {self.count}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Deletion records are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Deletion records are never deleted.")
