"""No personal data in URLs (security.md row 30): addresses end up in browser history,
proxy and server logs and Referer headers, so pages link by id and searches travel in
the request body. A client and a member named 山田花子 (090-1234-5678) are seeded; every
page a coordinator can reach from the home page, and the results of the searches, are
crawled, and no address on them (links, forms, scripts, htmx requests, redirects)
carries the name, its reading or the phone number, raw or percent-encoded."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

import pytest
from django.urls import reverse

from consultations.tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentFactory,
    ConsultationFactory,
)
from members.tests.factories import MemberFactory
from network.tests.factories import ServiceFactory
from referrals.models import Channel, ProvisionRecord
from referrals.tests.factories import ReferralFactory, referral_in

pytestmark = pytest.mark.django_db

PERSONAL = ["山田", "花子", "ヤマダ", "ハナコ", "09012345678", "090-1234-5678", "1234-5678"]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "hx-put"}
# Not crawled: leaving (logout), the back office (its own search is GET, for superusers
# only) and downloads (files, not pages; their addresses are checked where linked).
NOT_CRAWLED = re.compile(r"^/(logout/|admin/|static/)|\.(csv|xlsx)$|/export")
MAX_PAGES = 150


class Addresses(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                self.found.append((name, value))


def addresses_in(html):
    """[(attribute, address)] of every address in `html`."""
    parser = Addresses()
    parser.feed(html)
    return parser.found


def personal_data_in(address):
    """The pieces of personal data in `address`, whether raw or percent-encoded.

    `tel:` and `mailto:` links are left out: they hand the number or address to the PC's
    phone or mail program and are never requested from a server, so they reach no log,
    history of pages or Referer (the member page's click-to-call is one)."""
    if address.startswith(("tel:", "mailto:")):
        return []
    readings = {address, unquote(address), unquote_plus(address)}
    return [
        text
        for text in PERSONAL
        if any(text in reading for reading in readings)
        or quote(text) in address
        or quote_plus(text) in address
    ]


@pytest.fixture
def hanako(center, coordinator):
    """山田花子 as a client with a case, a consultation, a referral with its record of
    provision, and as a member."""
    person = ClientFactory(
        center=center,
        created_by=coordinator,
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        phone_mobile="09012345678",
    )
    case = CaseFactory(center=center, client=person, created_by=coordinator, title="賃金未払い")
    ConsultationFactory(case=case)
    service = ServiceFactory()
    referral = ReferralFactory(
        case=case,
        service=service,
        consent=ConsentFactory(
            client=person, organisation=service.organisation, recorded_by=coordinator
        ),
        coordinator=coordinator,
    )
    ProvisionRecord.write(referral_in("asked", referral), by=coordinator, channel=Channel.PHONE)
    MemberFactory(center=center, name="山田 花子", name_kana="ヤマダ ハナコ", phone="090-1234-5678")
    return person


def crawl(client, start):
    """{page address: [addresses on it]} for the pages reachable from `start` by GET."""
    seen, pages = set(start), {}
    queue = deque(start)
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            pages[url] = [("Location", response["Location"])]
            continue
        assert response.status_code == 200, url
        if "text/html" not in response.get("Content-Type", ""):
            continue
        pages[url] = addresses_in(response.content.decode())
        # Links and htmx loads are followed; forms are posted only by the searches below.
        for attribute, address in pages[url]:
            if attribute not in ("href", "hx-get"):
                continue
            parts = urlsplit(address)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and not NOT_CRAWLED.search(parts.path):
                seen.add(target)
                queue.append(target)
    return pages


def test_row_30_no_personal_data_in_any_address_on_the_pages(client, coordinator, hanako):
    client.force_login(coordinator)
    start = [
        reverse("home"),
        reverse("consultations:case-list"),
        reverse("consultations:client-detail", args=[hanako.pk]),
        reverse("referrals:desk"),
        reverse("members:member-list"),
    ]
    pages = crawl(client, start)

    # The searches: cases and members by name, and the intake's look-up of a registered
    # client by reading and by phone; each answers on a page without the words.
    searches = [
        (reverse("consultations:case-list"), {"q": "山田 花子"}),
        (reverse("members:member-list"), {"q": "山田"}),
        (
            reverse("consultations:intake"),
            {"lookup": "1", "client-family_name_kana": "ヤマダ"},
        ),
        (reverse("consultations:intake"), {"lookup": "1", "client-phone_mobile": "090-1234-5678"}),
    ]
    for number, (url, data) in enumerate(searches):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        for address, _status in response.redirect_chain:
            assert personal_data_in(address) == [], address
        pages[f"search {number} on {url}"] = addresses_in(response.content.decode())
        assert "山田" in response.content.decode(), f"{url} found nothing for {data}"

    assert len(pages) > 20
    crawled = " ".join(pages)
    for page in ("/consultations/cases/", "/referrals/", "/members/", "/network/"):
        assert page in crawled
    leaks = {
        page: [address for _attribute, address in addresses if personal_data_in(address)]
        for page, addresses in pages.items()
    }
    assert {page: found for page, found in leaks.items() if found} == {}
    # The pages' own addresses too (a GET search would put the words here).
    assert [page for page in pages if personal_data_in(page)] == []


def test_row_30_the_check_sees_encoded_names_and_numbers():
    assert personal_data_in(f"/consultations/cases/?q={quote('山田 花子')}") == ["山田", "花子"]
    assert personal_data_in(f"/members/?q={quote_plus('ヤマダ')}") == ["ヤマダ"]
    assert personal_data_in("/consultations/new/?phone=090-1234-5678") == [
        "090-1234-5678",
        "1234-5678",
    ]
    assert personal_data_in("/consultations/clients/1/") == []
    assert personal_data_in("tel:090-1234-5678") == []
