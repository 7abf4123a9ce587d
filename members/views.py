from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.audit import found_or_denied, log_action
from accounts.idempotency import SavedMeanwhile, record_save, replayed
from accounts.models import AuditEvent

from . import exports, imports, services
from .fiscal import fiscal_year_label, fiscal_year_of
from .forms import (
    UNION_SUGGESTIONS,
    DuesForm,
    ImportForm,
    LeaveForm,
    MemberFilterForm,
    MemberForm,
    PaymentForm,
    RenewForm,
    WaiveForm,
)
from .models import (
    LIST_CACHE_SECONDS,
    Benefit,
    Fee,
    Member,
    MembershipType,
    Payment,
    list_cache_keys,
)

PAGE_SIZE = 50
FILTERS_KEY = "members:filters"
IMPORT_KEY = "members:import"


def get_member_or_404(request, number):
    """The member with this number at the user's own centre, with its status; else 404,
    with the refused attempt in the audit trail."""
    members = Member.objects.visible_to(request.user).with_status()
    member = members.select_related("membership_type").filter(number=number).first()
    return found_or_denied(request, member, member=number)


def _union_suggestions(user):
    """The usual unions and those the user's centre's members name (cached)."""
    key = list_cache_keys(user.center_id)["unions"]
    used = cache.get(key)
    if used is None:
        members = Member.objects.visible_to(user).exclude(union="").order_by()
        used = list(members.values_list("union", flat=True).distinct()[:100])
        cache.set(key, used, LIST_CACHE_SECONDS)
    return sorted({*UNION_SUGGESTIONS, *used})


def _member_count(user):
    """How many members the user's centre has (cached)."""
    key = list_cache_keys(user.center_id)["count"]
    count = cache.get(key)
    if count is None:
        count = Member.objects.visible_to(user).count()
        cache.set(key, count, LIST_CACHE_SECONDS)
    return count


def _filtered_members(request):
    """The user's members narrowed by the filters kept in the session, the form, and
    whether it narrows them."""
    members = Member.objects.visible_to(request.user)
    form = MemberFilterForm(request.session.get(FILTERS_KEY) or None)
    if form.is_valid() and form.narrows():
        return form.filter(members), form, True
    return members, form, False


def member_list(request):
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(FILTERS_KEY, None)
            return redirect("members:member-list")
        form = MemberFilterForm(request.POST)
        if form.is_valid():
            request.session[FILTERS_KEY] = form.session_data()
            return redirect("members:member-list")
        members, narrowed = Member.objects.visible_to(request.user), False
    else:
        members, form, narrowed = _filtered_members(request)
    paginator = Paginator(members.order_by("sequence"), PAGE_SIZE)
    if not narrowed:
        # The whole register: its count is kept (Paginator.count is a cached_property).
        paginator.count = _member_count(request.user)
    page = paginator.get_page(request.GET.get("page"))
    # The status for the page's members only: annotated on the paged query, PostgreSQL
    # hashed every fee of the year before the LIMIT (250 ms at 100,000 members).
    page.object_list = (
        Member.objects.filter(pk__in=page.object_list.values("pk"))
        .for_list()
        .with_status()
        .order_by("sequence")
    )
    log_action(action=AuditEvent.Action.VIEW, user=request.user, request=request, listed=len(page))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(request.session.get(FILTERS_KEY)),
        "unions": _union_suggestions(request.user),
    }
    return render(request, "members/member_list.html", context)


def member_detail(request, number):
    member = get_member_or_404(request, number)
    fees = member.fees.prefetch_related(
        Prefetch("payments", queryset=Payment.objects.select_related("recorded_by"))
    ).order_by("-fiscal_year")
    benefits = []
    if request.user.has_perm("members.view_benefit"):
        benefits = (
            Benefit.objects.current().for_type(member.membership_type).select_related("partner")
        )
    log_action(action=AuditEvent.Action.VIEW, user=request.user, request=request, obj=member)
    context = {"member": member, "fees": fees, "benefits": benefits, "waive_form": WaiveForm()}
    return render(request, "members/member_detail.html", context)


def member_create(request):
    if request.user.center_id is None:
        raise PermissionDenied
    if replay := replayed(request):
        return replay
    member = Member(center=request.user.center)
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if form.is_valid():
        try:
            with transaction.atomic():
                member = services.member_register(
                    member=form.instance, by=request.user, request=request
                )
                record_save(request, member, member.get_absolute_url())
        except SavedMeanwhile:
            return replayed(request)
        messages.success(request, _("%(member)s is registered as a member.") % {"member": member})
        return redirect(member)
    context = {
        "form": form,
        "unions": _union_suggestions(request.user),
    }
    return render(request, "members/member_form.html", context)


def member_update(request, number):
    member = get_member_or_404(request, number)
    if request.method == "GET":
        # The form shows the member's details as their page does.
        log_action(
            action=AuditEvent.Action.VIEW, user=request.user, request=request, obj=member, form=1
        )
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if form.is_valid():
        form.save()
        log_action(
            action=AuditEvent.Action.CHANGE,
            user=request.user,
            request=request,
            obj=member,
            fields=form.changed_data,
        )
        messages.success(request, _("The member's details are saved."))
        return redirect(member)
    context = {
        "form": form,
        "member": member,
        "unions": _union_suggestions(request.user),
    }
    return render(request, "members/member_form.html", context)


def member_renew(request, number):
    member = get_member_or_404(request, number)
    if replay := replayed(request):
        return replay
    form = RenewForm(request.POST or None, member=member, user=request.user)
    if form.is_valid():
        try:
            with transaction.atomic():
                fee = services.member_renew(
                    member=member, by=request.user, request=request, **form.cleaned_data
                )
                # The renewal is audited as a change of the member: the receipt says so too.
                record_save(request, member, member.get_absolute_url())
        except SavedMeanwhile:
            return replayed(request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Renewed for %(year)s: ¥%(amount)s due.")
                % {"year": fee.fiscal_year_label, "amount": f"{fee.amount:,}"},
            )
            return redirect(member)
    return render(request, "members/member_renew.html", {"form": form, "member": member})


def payment_create(request, number):
    member = get_member_or_404(request, number)
    if replay := replayed(request):
        return replay
    form = PaymentForm(request.POST or None, member=member)
    if form.is_valid():
        try:
            with transaction.atomic():
                payment = services.payment_record(
                    member=member, by=request.user, request=request, **form.cleaned_data
                )
                record_save(request, payment, member.get_absolute_url())
        except SavedMeanwhile:
            return replayed(request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Payment of ¥%(amount)s for %(year)s recorded.")
                % {"amount": f"{payment.amount:,}", "year": payment.fee.fiscal_year_label},
            )
            return redirect(member)
    return render(request, "members/payment_form.html", {"form": form, "member": member})


def member_leave(request, number):
    member = get_member_or_404(request, number)
    if member.left_on:
        messages.info(request, _("This member has already left."))
        return redirect(member)
    form = LeaveForm(request.POST or None, instance=member)
    if form.is_valid():
        data = form.cleaned_data
        member.leave(on=data["left_on"], reason=data["leave_reason"], note=data["leave_note"])
        log_action(
            action=AuditEvent.Action.CHANGE,
            user=request.user,
            request=request,
            obj=member,
            fields=["left_on", "leave_reason"],
        )
        messages.success(request, _("The member's leaving is recorded."))
        return redirect(member)
    return render(request, "members/member_leave.html", {"form": form, "member": member})


@require_POST
def fee_waive(request, number, year):
    member = get_member_or_404(request, number)
    fee = get_object_or_404(member.fees, fiscal_year=year)
    form = WaiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for waiving the fee."))
    elif fee.is_settled:
        messages.info(request, _("This fee is already settled."))
    else:
        fee.waive(reason=form.cleaned_data["reason"])
        log_action(
            action=AuditEvent.Action.CHANGE,
            user=request.user,
            request=request,
            obj=fee,
            member=member.pk,
            fields=["waived"],
        )
        messages.success(
            request, _("The fee for %(year)s is waived.") % {"year": fee.fiscal_year_label}
        )
    return redirect(member)


def member_card(request, number):
    member = get_member_or_404(request, number)
    year = fiscal_year_of(timezone.localdate())
    log_action(
        action=AuditEvent.Action.VIEW, user=request.user, request=request, obj=member, card=True
    )
    context = {
        "member": member,
        "center": request.user.center,
        "year_label": fiscal_year_label(year),
    }
    return render(request, "members/member_card.html", context)


def fee_arrears(request):
    fees = (
        Fee.objects.visible_to(request.user)
        .arrears()
        .select_related("member__membership_type")
        .order_by("member__sequence", "fiscal_year")
    )
    page = Paginator(fees, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = fees.totals()
    log_action(action=AuditEvent.Action.VIEW, user=request.user, request=request, arrears=len(page))
    context = {"page": page, "outstanding": totals["amount"] - totals["paid"]}
    return render(request, "members/fee_arrears.html", context)


def dues(request):
    if request.user.center_id is None:
        raise PermissionDenied
    form = DuesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["fiscal_year"]
        created = services.dues_create(
            center=request.user.center, fiscal_year=year, by=request.user, request=request
        )
        messages.success(
            request,
            ngettext(
                "%(count)d fee created for %(year)s.",
                "%(count)d fees created for %(year)s.",
                created,
            )
            % {"count": created, "year": fiscal_year_label(year)},
        )
        return redirect("members:dues")
    return render(request, "members/dues_form.html", {"form": form})


def benefit_list(request):
    types = MembershipType.objects.active().filter(benefits__isnull=False).distinct()
    benefits = (
        Benefit.objects.current().select_related("partner").prefetch_related("membership_types")
    )
    chosen = None
    type_id = request.GET.get("type", "")
    if type_id.isascii() and type_id.isdigit():
        chosen = types.filter(pk=type_id).first()
        if chosen is not None:
            benefits = benefits.for_type(chosen)
    context = {"benefits": benefits, "types": types, "chosen": chosen}
    return render(request, "members/benefit_list.html", context)


def member_export(request, fmt):
    members, _form, _narrowed = _filtered_members(request)
    members = members.order_by("sequence")
    year = fiscal_year_of(timezone.localdate())
    count = members.count()
    # One event naming every member in the file (their numbers), none of their details.
    log_action(
        action=AuditEvent.Action.EXPORT,
        user=request.user,
        request=request,
        records=members.only("pk", "number"),
        format=fmt,
        count=count,
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "xlsx":
        response = HttpResponse(
            exports.excel_bytes(members, year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            exports.csv_lines(members, year), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="members-{stamp}.{fmt}"'
    return response


def member_import(request):
    if request.user.center_id is None:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        try:
            check = imports.check_file(form.cleaned_data["file"].read(), request.user.center)
        except imports.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            # Only a clean file may be confirmed; its checked rows wait in the session.
            if check.errors:
                request.session.pop(IMPORT_KEY, None)
            else:
                request.session[IMPORT_KEY] = {
                    "center": request.user.center_id,
                    "rows": check.rows,
                }
    return render(request, "members/member_import.html", {"form": form, "check": check})


@require_POST
def member_import_confirm(request):
    pending = request.session.pop(IMPORT_KEY, None)
    if not pending or pending["center"] != request.user.center_id:
        messages.error(request, _("There is no checked file to import. Upload it again."))
        return redirect("members:member-import")
    try:
        count = services.members_import(
            center=request.user.center, rows=pending["rows"], by=request.user, request=request
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        messages.error(request, _("Nothing was imported. Upload the file again."))
        return redirect("members:member-import")
    messages.success(
        request,
        ngettext("%(count)d member imported.", "%(count)d members imported.", count)
        % {"count": count},
    )
    return redirect("members:member-list")
