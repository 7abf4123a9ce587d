import hashlib
import secrets
import unicodedata
from base64 import b32encode
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from . import audit_chain
from .fields import KanaField, PhoneField, PostcodeField
from .scoping import scoped_to_center


class Role(models.TextChoices):
    """The four staff roles. The value is the name of the Django group that carries
    the role's permissions (created by migration 0002); a person may hold several."""

    COUNTER = "相談員", _("Counter staff")
    COORDINATOR = "コーディネーター", _("Coordinator")
    MANAGER = "管理者", _("Manager")
    VIEWER = "閲覧", _("Viewer")

    @property
    def duties(self):
        return ROLE_DUTIES[self]


ROLE_DUTIES = {
    Role.COUNTER: _(
        "Log walk-in and phone consultations, find returning clients, open and update cases, "
        "and write hand-over notes for the next shift."
    ),
    Role.COORDINATOR: _(
        "Everything counter staff do, and assign cases, refer clients to partners, follow "
        "referrals until the outcome is known, and see the centre's statistics."
    ),
    Role.MANAGER: _(
        "Keep the partner directory, topics, staff accounts, centres and the member register "
        "in the back office."
    ),
    Role.VIEWER: _("See anonymised statistics only, never a name."),
}


class Center(models.Model):
    """A consultation centre (拠点). Staff, and later cases, belong to one centre."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,9}$",
                _("Use 2 to 10 capital letters or digits, starting with a letter."),
            )
        ],
        help_text=_("Short code in capital letters, e.g. KNZ."),
    )
    postcode = PostcodeField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = PhoneField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")

    def __str__(self):
        return self.name


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the user's own centre."""
        return scoped_to_center(self, user)

    def active(self):
        return self.filter(is_active=True)

    def with_roles(self):
        return self.select_related("center").prefetch_related("groups")


# A named class, so migrations can refer to it (from_queryset() alone cannot be).
class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A member of staff. Japanese names are kept whole (氏名) with their reading."""

    first_name = None
    last_name = None
    name = models.CharField(_("full name"), max_length=100, help_text=_("For example 山田 花子."))
    name_kana = KanaField(
        _("reading (furigana)"),
        max_length=100,
        blank=True,
        help_text=_("In katakana; hiragana is converted."),
    )
    center = models.ForeignKey(
        Center,
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("The centre whose cases this person works on."),
    )

    REQUIRED_FIELDS = ["email", "name"]

    objects = UserManager()

    class Meta:
        ordering = ["name_kana", "username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or self.username

    def get_short_name(self):
        return self.name.split()[0] if self.name else self.username

    @property
    def role_names(self):
        """The user's roles as group names (uses prefetched groups when there are any)."""
        return [group.name for group in self.groups.all()]

    @property
    def roles(self):
        """The user's roles, in the order of Role."""
        names = set(self.role_names)
        return [role for role in Role if role.value in names]

    def set_roles(self, roles):
        """Make `roles` (Role members) the user's only roles."""
        self.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))

    def save(self, *args, **kwargs):
        # A new password (set_password() leaves it in _password until the save) or a closed
        # account ends the person's sessions everywhere, whoever saved it: the back office,
        # the password page or code. The password page keeps its own session alive:
        # update_session_auth_hash() saves it again under a new key.
        ends_sessions = not self._state.adding and (
            self._password is not None or not self.is_active
        )
        super().save(*args, **kwargs)
        if ends_sessions:
            self.sessions.end()


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to_center(self, user)

    def failed_logins(self):
        return self.filter(action=AuditEvent.Action.LOGIN_FAILED)

    def failed_logins_for(self, username, *, since=None):
        failures = self.failed_logins().filter(username=username)
        return failures.filter(at__gt=since) if since else failures

    def previous_login_of(self, user):
        """The login before the current one, or None on a first login."""
        logins = self.filter(user=user, action=AuditEvent.Action.LOGIN).order_by("-at", "-pk")
        return logins[1:2].first()


class AuditEvent(models.Model):
    """One line of the audit trail: who did what to which record, when and from where.

    Append-only: rows are written through `accounts.audit.log_action()` and never
    changed or deleted by the application; on PostgreSQL a trigger refuses UPDATE and
    DELETE from anyone (migration 0005). Tamper-evident: each row carries the sha256 of
    its content and of the previous row's hash (accounts.audit_chain), checked by
    `manage.py verify_audit_chain`. `detail` never holds personal data, only ids,
    counts and field names.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out after failed logins")
        SECOND_FACTOR = "otp_verified", _("Passed the second factor")
        SECOND_FACTOR_FAILED = "otp_failed", _("Wrong second-factor code")
        SECOND_FACTOR_SET_UP = "otp_set_up", _("Set up the second factor")
        BACKUP_CODES = "backup_codes", _("Made new backup codes")
        LOGOUT = "logout", _("Logged out")
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        DENIED = "denied", _("Access denied")

    at = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    user = models.ForeignKey(
        User,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # As typed at a failed login, where there may be no such user; else the user's.
    username = models.CharField(_("username"), max_length=150, blank=True)
    center = models.ForeignKey(
        Center, verbose_name=_("centre"), on_delete=models.PROTECT, null=True, blank=True
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    previous_hash = models.CharField(_("previous event's hash"), max_length=64, editable=False)
    entry_hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["center", "-at"], name="audit_center_at"),
            models.Index(fields=["user", "action", "-at"], name="audit_user_action_at"),
            models.Index(fields=["username", "action", "-at"], name="audit_username_action_at"),
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # Linked and inserted in one transaction: the chain's head stays locked until
        # the caller's transaction commits (so log_action comes last in a transaction).
        with transaction.atomic(using=using, savepoint=False):
            self.previous_hash = audit_chain.chain_head(type(self), using)
            self.entry_hash = audit_chain.entry_hash(self.previous_hash, self)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class SaveReceipt(models.Model):
    """The answer to one form that saved something, found again by the key the form
    carried, so a form sent twice (a double click, a retry after a dropped connection)
    saves once and the second sending gets the first one's page.

    Written in the same transaction as what it records: a receipt exists exactly when
    the save happened. `accounts.idempotency` reads and writes them.
    """

    key = models.UUIDField(_("key"), unique=True, editable=False)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT
    )
    object_id = models.CharField(_("record id"), max_length=64)
    location = models.CharField(_("page shown after saving"), max_length=500)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("save receipt")
        verbose_name_plural = _("save receipts")
        indexes = [models.Index(fields=["content_type", "object_id"], name="receipt_object")]

    def __str__(self):
        return f"{self.key} {self.content_type.model} {self.object_id}"


class StaffSessionQuerySet(models.QuerySet):
    def end(self):
        """Delete these sessions from the session store and from the registry: whoever
        uses one is asked to log in at their next request. Returns how many ended."""
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        for session_key in self.values_list("session_key", flat=True):
            store.delete(session_key)
        return self.delete()[0]

    def current(self):
        return self.filter(session_key__in=_unexpired_session_keys())

    def expired(self):
        """Sessions that ended without a logout (the idle timeout, a closed browser)."""
        return self.exclude(session_key__in=_unexpired_session_keys())


def _unexpired_session_keys():
    # The database session backend (Django's default, ours) keeps them in django_session.
    return Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")


class StaffSession(models.Model):
    """A session in which a member of staff is logged in: the registry that lets a closed
    account, a new password or the back office end all of a person's sessions.

    Written at login and removed at logout by `accounts.sessions`, which also moves a row
    to the session's new key when Django changes it. Expired rows go at the next login.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    started_at = models.DateTimeField(_("logged in at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    objects = StaffSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")

    def __str__(self):
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


def normalize_code(code: str) -> str:
    """A typed one-time code as stored: full-width characters (a Japanese IME) made
    half-width, lower case, without the spaces and hyphens the codes are shown with."""
    code = unicodedata.normalize("NFKC", code or "").lower()
    return "".join(char for char in code if char not in " -")


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's backup codes, for a day without the authenticator app.

    Unlike django-otp's StaticDevice, which keeps its codes in plain text, only each
    code's SHA-256 is stored. A code carries 80 random bits, so a fast hash is enough:
    the database alone does not give the codes back.
    """

    CODE_COUNT = 10
    CODE_BYTES = 10  # 80 bits, 16 base32 characters

    class Meta:
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    @staticmethod
    def digest(code):
        # Base32 has no 0 or 1: read from paper, they can only be an o or an l.
        code = normalize_code(code).translate(str.maketrans("01", "ol"))
        return hashlib.sha256(code.encode()).hexdigest()

    def replace_codes(self):
        """Make CODE_COUNT new codes in place of the old ones; return them for showing once,
        grouped by four for reading (the hyphens are ignored when typed)."""
        codes = [
            b32encode(secrets.token_bytes(self.CODE_BYTES)).decode().lower()
            for _code in range(self.CODE_COUNT)
        ]
        self.codes.all().delete()
        BackupCode.objects.bulk_create(
            BackupCode(device=self, digest=self.digest(code)) for code in codes
        )
        return ["-".join(code[i : i + 4] for i in range(0, len(code), 4)) for code in codes]

    def verify_token(self, token):
        """True once per code: a matching code is deleted as it is used."""
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _per_model = self.codes.filter(digest=self.digest(token)).delete()
        if deleted:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return bool(deleted)

    def get_throttle_factor(self):
        return getattr(settings, "OTP_BACKUP_CODE_THROTTLE_FACTOR", 1)


class BackupCode(models.Model):
    """One unused backup code, as its SHA-256 (never the code itself)."""

    device = models.ForeignKey(
        BackupCodeDevice, verbose_name=_("device"), on_delete=models.CASCADE, related_name="codes"
    )
    digest = models.CharField(_("SHA-256 of the code"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")

    def __str__(self):
        return f"{self.device.user} #{self.pk}"
