"""Reading the app's HTML as a browser would: a form's fields and options, the links of a
page, and a filled-in intake form. Shared by the load scripts (locustfile.py, pages.py) and
the in-process profile (profile_pages.py); it imports neither locust nor Django."""

import datetime
import random
import re
from html.parser import HTMLParser

SEARCH_WORDS = ["解雇", "残業代", "パワハラ", "賃金", "退職", "有給"]
# Which case, word or name to pick next: not a secret.
rng = random.Random()  # noqa: S311
KANA_NAMES = [("ヤマダ", "ハナコ"), ("スズキ", "イチロウ"), ("サトウ", "ミキ"), ("タナカ", "ケン")]


class FormReader(HTMLParser):
    """The fields of one <form> (chosen by a substring of its action or id) as a browser
    would send them, and each <select>'s options."""

    def __init__(self, marker):
        super().__init__()
        self.marker = marker
        self.inside = False
        self.fields = []
        self.options = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = self.marker in (a.get("action") or "") or self.marker == a.get("id")
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")
            if "selected" in a:
                self.fields.append((self._select, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data):
        if self._textarea and self.fields and self.fields[-1][0] == self._textarea:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_form(html, marker):
    reader = FormReader(marker)
    reader.feed(html)
    return dict(reader.fields), reader.options


def links(html, pattern):
    return sorted(set(re.findall(pattern, html)))


def intake_fields(html, client_pk=""):
    """A filled-in intake form (the page's own fields and choices): a phone consultation
    for the client `client_pk`, or for a new client; None when the page has no topic."""
    fields, options = read_form(html, "intake-form")
    if not fields.get("taken_by"):
        fields["taken_by"] = next((pk for pk in options.get("taken_by", []) if pk), "")
    topics = [code for code in options.get("main_topic", []) if code]
    if not topics:
        return None
    fields.update(
        {
            "channel": "phone",
            "received_at": datetime.datetime.now().strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "15",
            "consulter_type": "self",
            "main_topic": rng.choice(topics),
            "summary": f"{rng.choice(SEARCH_WORDS)}についての相談（負荷試験）。",
            "action_taken": "制度を説明した。",
            "outcome": "advice",
            "save": "1",
        }
    )
    if client_pk:
        fields.update({"client": client_pk, "case": ""})
    else:
        family, given = rng.choice(KANA_NAMES)
        fields.update(
            {
                "client-family_name_kana": family,
                "client-given_name_kana": given,
                "client-family_name": "負荷",
                "client-given_name": "試験",
                "client-phone_mobile": f"090{rng.randrange(10**8):08d}",
            }
        )
    return fields
