"""The main menu, worked out in Python once per page instead of in base.html."""

import functools
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    label: str
    view_name: str
    # Shown to users holding this permission (None: to everyone signed in)...
    permission: str | None = None
    # ...or only to back-office staff.
    staff_only: bool = False
    # The section it heads: its pages mark the entry unless another entry names them.
    app_name: str | None = None


MAIN_MENU = [
    MenuEntry(_("Home"), "home"),
    MenuEntry(_("New consultation"), "consultations:intake", "consultations.add_consultation"),
    MenuEntry(
        _("Cases"), "consultations:case-list", "consultations.view_case", app_name="consultations"
    ),
    MenuEntry(_("Referrals"), "referrals:desk", "referrals.view_referral", app_name="referrals"),
    MenuEntry(
        _("Partner directory"), "network:search", "network.view_organisation", app_name="network"
    ),
    MenuEntry(_("Members"), "members:member-list", "members.view_member", app_name="members"),
    MenuEntry(_("Statistics"), "reports:dashboard", "reports.view_statistics", app_name="reports"),
    MenuEntry(
        _("Personal information"),
        "privacy:clients",
        "consultations.disclose_client",
        app_name="privacy",
    ),
    MenuEntry(_("Back office"), "admin:index", staff_only=True),
]


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    # The entry's own page is shown (aria-current)...
    current: bool
    # ...or a page of its section (highlighted).
    active: bool


def main_menu(request):
    """`main_menu`: the links of the menu the user may follow, worked out only when a
    template shows it (htmx fragments and /alive/ do not)."""
    return {"main_menu": functools.partial(menu_links, request)}


def menu_links(request):
    user = request.user
    entries = [
        entry
        for entry in MAIN_MENU
        if (not entry.staff_only or user.is_staff)
        and (entry.permission is None or user.has_perm(entry.permission))
    ]
    match = request.resolver_match
    view_name = match.view_name if match else None
    app_name = match.app_name if match else None
    named = any(entry.view_name == view_name for entry in MAIN_MENU)
    prefix = get_script_prefix()
    return [
        MenuLink(
            label=entry.label,
            url=_url(entry.view_name, prefix),
            current=entry.view_name == view_name,
            active=entry.view_name == view_name
            or (not named and entry.app_name is not None and entry.app_name == app_name),
        )
        for entry in entries
    ]


@functools.cache
def _url(view_name, prefix):
    # The menu's URLs take no arguments: reversed once per process and script prefix.
    return reverse(view_name)
