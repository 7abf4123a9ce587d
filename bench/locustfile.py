"""A busy morning: counter staff and coordinators on the app at once (issue 9, point 3).

Each simulated person logs in once with their own account (one line of the CSV that
bench/prepare_staff.py writes, taken in turn; BENCH_ACCOUNT_OFFSET=N starts at line N):
the password, then the code step with the 6-digit code of the line's `totp_key`
(bench/second_factor.py; a code refused because its 30-s step was used already is tried
again once in the next step, and the refusal does not count as a failure). Then, with
2-5 s to think between steps, it does what the centres do (security.md R1's mix): look at
case lists and cases (55 %), search cases with Japanese words (20 %, POSTed as the page
does), log consultations and notes (15 %), take referrals a step further (5 %: draft, ask,
record the answer, mark referred, follow up) and now and then export (5 %). Case numbers,
clients and referrals come from the pages it gets (links), never from the database.

Every write carries a new idempotency key (`idem_key`). When the server answers it with
the view's redirect, the script follows the redirect as a browser would and, unless the
page shows an error message, appends `key,kind,at` to the ledger (env LEDGER_FILE,
flushed and fsynced a line at a time); `manage.py verify_ledger LEDGER` then checks the
database against it. A write whose answer is lost (connection error, 503) is sent once
more with the same key after 1 s: that is what the key is for.

Failures: any 5xx, an unexpected status, a traceback in a body. A 503 must be the
Japanese page (「混み合っています」); it is reported as "503 busy page", anything else
as what it was, so a harness can tell them apart.

Against `make run`'s dev server (http, DEBUG on):

    .venv/bin/python bench/prepare_staff.py /tmp/bench_users.csv
    BENCH_USERS=/tmp/bench_users.csv LEDGER_FILE=/tmp/ledger.csv BENCH_WAIT=0.5-1 \\
        .venv/bin/locust -f bench/locustfile.py --headless -u 4 -r 2 -t 60s \\
        --host http://127.0.0.1:8000
    .venv/bin/python manage.py verify_ledger /tmp/ledger.csv

Against gunicorn with TLS (DEBUG off; the certificate is self-signed, FastHttpUser does
not verify it): the same with `--host https://127.0.0.1:8443 -u 30 -r 5 -t 10m`.
Env: BENCH_USERS (required), LEDGER_FILE (default ledger.csv), BENCH_WAIT (seconds,
"min-max", default 2-5), BENCH_ACCOUNT_OFFSET (default 0).
"""

import csv
import datetime
import itertools
import os
import re
import uuid
from urllib.parse import urlsplit

import gevent
from form_reading import KANA_NAMES, SEARCH_WORDS, intake_fields, links, read_form, rng
from locust import FastHttpUser, between, task
from locust.exception import StopUser
from second_factor import Codes, location_path

BUSY_PAGE = "混み合っています"


def _wait_range():
    low, _dash, high = os.environ.get("BENCH_WAIT", "2-5").partition("-")
    return float(low), float(high or low)


def _accounts():
    path = os.environ.get("BENCH_USERS")
    if not path:
        raise SystemExit("Set BENCH_USERS to the CSV that bench/prepare_staff.py wrote.")
    with open(path, newline="", encoding="utf-8") as file:
        accounts = list(csv.DictReader(file))
    if accounts and not accounts[0].get("totp_key"):
        raise SystemExit(f"{path} has no totp_key column: write it again with prepare_staff.py.")
    return accounts


ACCOUNTS = _accounts()
_turn = itertools.count(int(os.environ.get("BENCH_ACCOUNT_OFFSET") or 0))
# The login codes this process types: one per account and 30-s step.
CODES = Codes(sleep=gevent.sleep)


class Ledger:
    """The acknowledged saves, a line each, on disk before the next request."""

    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (open for the run)

    def ack(self, key, kind):
        at = datetime.datetime.now(datetime.UTC).isoformat()
        self.file.write(f"{key},{kind},{at}\n")
        self.file.flush()
        os.fsync(self.file.fileno())


LEDGER = Ledger(os.environ.get("LEDGER_FILE", "ledger.csv"))


class Staff(FastHttpUser):
    wait_time = between(*_wait_range())
    # The certificate is self-signed: FastHttpUser's default is not to verify it.
    insecure = True

    def on_start(self):
        account = ACCOUNTS[next(_turn) % len(ACCOUNTS)]
        self.role = account["role"]
        self.cases = []
        self.clients = []
        self.referrals = []
        # A fault may be on when the person arrives: try again a few times, then give up
        # on this one person (StopUser ends it without a traceback).
        for _attempt in range(5):
            if self.log_in(account):
                break
            gevent.sleep(2)
        else:
            raise StopUser
        self.page("/", "home")

    def log_in(self, account):
        """The password, then the code step; True when logged in."""
        # A try after a fault starts anew (a session past the password alone would have
        # the login page redirect to the code step).
        self.client.cookiejar.clear()
        page = self.page("/login/", "login form")
        data = {
            "username": account["username"],
            "password": account["password"],
            "csrfmiddlewaretoken": self.csrf(page),
        }
        with self.client.post(
            "/login/",
            data=data,
            headers=self.referer("/login/"),
            allow_redirects=False,
            catch_response=True,
            name="login",
        ) as response:
            if not self.checked(response, 302):
                return False
            code_page = location_path(response.headers.get("Location", ""))
        return self.second_factor(code_page, account["totp_key"])

    def second_factor(self, code_page, key):
        """The code step (/login/code/?next=...): the code of `key` for this 30-s step;
        refused (a step used already), once more in the next step."""
        for attempt in (1, 2):
            html = self.page(code_page, "login code form")
            if not html:
                return False
            fields, _options = read_form(html, "/login/code/")
            fields["code"] = CODES.code(key)
            with self.client.post(
                "/login/code/",
                data=fields,
                headers=self.referer("/login/code/"),
                allow_redirects=False,
                catch_response=True,
                name="login code",
            ) as response:
                refused = response.status_code == 200 and 'name="code"' in (response.text or "")
                if not (refused and attempt == 1):
                    return self.checked(response, 302)
                response.success()  # not the server's failure: tried again below
            CODES.refused(key)
        return False

    # -- reading -------------------------------------------------------------------

    @task(25)
    def case_list(self):
        html = self.page("/consultations/cases/", "case list")
        self.remember(html)

    @task(10)
    def case_list_filtered(self):
        self.filter_cases({"status": rng.choice(["received", "in_progress", "follow_up"])})
        self.page("/consultations/cases/", "case list (filtered)")

    @task(15)
    def case_detail(self):
        if not self.cases:
            return self.case_list()
        number = rng.choice(self.cases)
        self.remember(self.page(f"/consultations/cases/{number}/", "case detail"))

    @task(5)
    def desk(self):
        self.remember(self.page("/referrals/", "coordinator desk"))

    @task(17)
    def search(self):
        self.filter_cases({"q": rng.choice(SEARCH_WORDS)})
        self.remember(self.page("/consultations/cases/", "case search"))

    # -- writing -------------------------------------------------------------------

    @task(7)
    def intake(self):
        html = self.page("/consultations/new/", "intake form")
        client_pk = rng.choice(self.clients) if self.clients and rng.random() < 0.4 else ""
        fields = intake_fields(html, client_pk)
        if fields:
            self.save("intake", "/consultations/new/", fields, html)

    @task(3)
    def client_lookup(self):
        html = self.page("/consultations/new/", "intake form")
        if not html:
            return
        family, given = rng.choice(KANA_NAMES)
        data = {
            "csrfmiddlewaretoken": self.csrf(html),
            "lookup": "1",
            "client-family_name_kana": family,
            "client-given_name_kana": given,
        }
        headers = {**self.referer("/consultations/new/"), "HX-Request": "true"}
        with self.client.post(
            "/consultations/new/",
            data=data,
            headers=headers,
            catch_response=True,
            name="client look-up",
        ) as response:
            if self.checked(response, 200):
                self.clients += links(response.text, r"/consultations/clients/(\d+)/")[:5]

    @task(8)
    def note(self):
        if not self.cases:
            return self.case_list()
        number = rng.choice(self.cases)
        url = f"/consultations/cases/{number}/"
        html = self.page(url, "case detail")
        if f"{url}notes/" not in html:
            return
        fields, _options = read_form(html, f"{url}notes/")
        fields["text"] = "本人から電話あり（負荷試験）。"
        self.save("note", f"{url}notes/", fields, html)

    @task(5)
    def referral_step(self):
        if self.role != "coordinator":
            return self.case_detail()
        if not self.referrals or rng.random() < 0.3:
            return self.referral_create()
        pk = rng.choice(self.referrals)
        url = f"/referrals/{pk}/"
        html = self.page(url, "referral detail")
        if not html:
            return
        today = datetime.date.today()
        steps = [
            ("ask", "ask/", {"channel": "phone"}),
            ("answer", "answer/", {"answer": "accept", "channel": "phone"}),
            ("referred", "referred/", {"follow_up_on": str(today + datetime.timedelta(14))}),
            (
                "follow-up",
                "follow-ups/",
                {
                    "done_on": str(today),
                    "method": "phone",
                    "spoke_with": "client",
                    "note": "相談に行けたとのこと。",
                    "next_on": str(today + datetime.timedelta(14)),
                },
            ),
        ]
        for kind, action, values in steps:
            if f'action="{url}{action}"' in html:
                fields, _options = read_form(html, f"{url}{action}")
                fields.update(values)
                return self.save(kind, f"{url}{action}", fields, html)
        self.referrals.remove(pk)  # done (or cancelled): nothing more to do with it

    def referral_create(self):
        if not self.cases:
            return self.case_list()
        number = rng.choice(self.cases)
        base = f"/referrals/new/{number}/"
        html = self.page(f"{base}?q=", "referral finder")
        services = links(html, r"[?&;]service=(\d+)")
        if not services:
            return
        service = rng.choice(services)
        url = f"{base}?service={service}"
        html = self.page(url, "referral form")
        fields, _options = read_form(html, "service=")
        if "need" not in fields:
            return  # a closed case: the page says so instead of showing the form
        fields.update(
            {"service": service, "need": "残業代の請求について（負荷試験）", "anonymous": "on"}
        )
        location = self.save("referral", url, fields, html)
        if location:
            self.referrals += links(location, r"/referrals/(\d+)/")

    @task(5)
    def export(self):
        # Counter staff may not export: they search instead.
        if self.role != "coordinator":
            return self.search()
        url, name = rng.choice(
            [
                ("/members/export.csv", "member export"),
                ("/reports/export/dashboard.xlsx", "statistics export"),
            ]
        )
        with self.client.get(url, catch_response=True, name=name) as response:
            self.checked(response, 200)

    # -- helpers -------------------------------------------------------------------

    def referer(self, path):
        return {"Referer": f"{self.host}{path}"}

    @staticmethod
    def csrf(html):
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html or "")
        return found.group(1) if found else ""

    def page(self, url, name):
        with self.client.get(url, catch_response=True, name=name) as response:
            return response.text if self.checked(response, 200) else ""

    def remember(self, html):
        cases = links(html, r'href="/consultations/cases/([^/"]+)/"')
        self.cases = (cases + self.cases)[:50]
        clients = links(html, r'href="/consultations/clients/(\d+)/"')
        self.clients = (clients + self.clients)[:50]
        referrals = links(html, r'href="/referrals/(\d+)/"')
        if self.role == "coordinator":
            self.referrals = list(dict.fromkeys(self.referrals + referrals))[-30:]

    def filter_cases(self, values):
        html = self.page("/consultations/cases/", "case list")
        if not html:
            return  # no page (a fault): a person cannot send its form either
        data = {"csrfmiddlewaretoken": self.csrf(html), **values}
        with self.client.post(
            "/consultations/cases/",
            data=data,
            headers=self.referer("/consultations/cases/"),
            allow_redirects=False,
            catch_response=True,
            name="case filter (POST)",
        ) as response:
            self.checked(response, 302)

    def save(self, kind, url, fields, page_html):
        """Post a form with a new key; on the redirect, check the page it leads to and
        write the ledger line. Returns the redirect's address, or None."""
        if not page_html:
            return None  # the form's page did not come (a fault): nothing to send
        fields = {**fields, "idem_key": str(uuid.uuid4())}
        fields["csrfmiddlewaretoken"] = self.csrf(page_html)
        for attempt in (1, 2):
            with self.client.post(
                url,
                data=fields,
                headers=self.referer(urlsplit(url).path),
                allow_redirects=False,
                catch_response=True,
                name=f"save {kind}",
            ) as response:
                answered = self.checked(response, 302)
                if not answered and response.status_code in (0, 503) and attempt == 1:
                    # The answer was lost: the same key again, which saves at most once.
                    gevent.sleep(1)
                    continue
                if not answered:
                    return None
                location = urlsplit(response.headers.get("Location", "")).path
            if self.saved(location, kind):
                LEDGER.ack(fields["idem_key"], kind)
                return location
            return None
        return None

    def saved(self, location, kind):
        """Follow the redirect like a browser; an error message means nothing was saved."""
        with self.client.get(location, catch_response=True, name=f"after {kind}") as response:
            if not self.checked(response, 200):
                return False
            if "alert-danger" in response.text:
                response.failure(f"{kind} refused: error message")
                return False
            return True

    def checked(self, response, expected):
        """Mark the response; True when it is what the page should answer."""
        status = response.status_code
        body = response.text or "" if status else ""
        if status == 503:
            if BUSY_PAGE in body:
                response.failure("503 busy page")
            else:
                response.failure("503 without the busy page")
            return False
        if "Traceback" in body:
            response.failure(f"traceback in a {status} page")
            return False
        if status == 0:
            response.failure(f"connection error: {response.error!r}"[:200])
            return False
        if status != expected:
            response.failure(f"status {status}, expected {expected}")
            return False
        response.success()
        return True
