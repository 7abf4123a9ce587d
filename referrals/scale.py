"""A region's years of work, generated at scale, to measure the pages against.

`manage.py generate_scale_data --consultations 1000000` fills every app's tables as ten
centres of one prefecture would have filled them over ten years: for each million
consultations, 200,000 clients, 300,000 cases, 100,000 referrals with their steps and
follow-ups, 10,000 partner organisations with their services, and 100,000 members with
their fees and payments (the other counts scale with --consultations; the centres stay
ten, a region's number).

The distributions are the demo's (consultations.demo: topics weighted like 連合's
published shares, パワハラ first; channels, genders, ages, employment, industries with
不明 in their shares), spread over the years with growth and with the bumps of April and
of the weeks after New Year. Everything is invented; never use it for real work.

Rows are planned in Python from one random.Random(seed) in a fixed order, so a seed
gives the same data on the same day. They are written with explicit ids in dependency
order, the derived columns as the models' save() and the services would leave them
(search keys, the topic links' case, case numbers per centre and year and their
sequence, member numbers and their counter, fees' paid sums): by COPY on PostgreSQL
(psycopg 3), by bulk_create elsewhere. Per-row save() logic and audit entries are not
run.
"""

import bisect
import datetime
import enum
import itertools
import random
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Center, Role, User
from accounts.search import search_key
from consultations import demo as consultations_demo
from consultations.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Client,
    Consent,
    Consultation,
    ConsultationTopic,
    EmploymentStatus,
    EmploymentType,
    WorkplaceUnion,
)
from members.demo import TYPE_WEIGHTS, TYPES, UNIONS
from members.fiscal import fiscal_year_of, fiscal_year_start
from members.models import Fee, Member, MemberNumberCounter, MembershipType, Payment
from network.calendar_jp import add_business_days, closure_reason, is_business_day
from network.models import Contact, Municipality, Organisation, Prefecture, Service, Topic

from .models import (
    PROVISION_KEEP_YEARS,
    Channel,
    FollowUp,
    HandoffSheet,
    ProvisionRecord,
    Referral,
    ReferralStep,
)

# Rows per consultation; the centres stay CENTRES whatever the volume.
RATIOS = {
    "clients": 0.2,
    "cases": 0.3,
    "referrals": 0.1,
    "organisations": 0.01,
    "members": 0.1,
}
CENTRES = 10
MINIMUM = 100
ANONYMOUS_CASES = 0.2  # cases of callers who gave no name (one or two contacts each)
GROWTH = 1.06  # a year's growth of the work
# April (new jobs, contracts ended in March) and the weeks after New Year are busiest.
MONTH_LOAD = {1: 11, 2: 10, 3: 11, 4: 13, 5: 11, 6: 10, 7: 10, 8: 8, 9: 10, 10: 10, 11: 10, 12: 8}
NEW_YEAR_BUMP = 1.3  # 4–20 January
WEEKDAY_LOAD = [13, 10, 10, 10, 9, 1.5, 0.3]
CLOSED_DAY_LOAD = 0.05  # holidays and the year-end break: the odd e-mail or event
GAP_DAYS = 10  # mean days between two contacts of a case
SETTLED_DAYS = 60  # a case quiet for longer is mostly closed
STAFF = {Role.COUNTER: 4, Role.COORDINATOR: 2}

S = Referral.Status
CH = Consultation.Channel
OUT = Consultation.Outcome
TOPIC_SHARES = consultations_demo.TOPIC_WEIGHTS

FAMILY_NAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
    ("村上", "ムラカミ"), ("北村", "キタムラ"), ("表", "オモテ"), ("中川", "ナカガワ"),
    ("西田", "ニシダ"), ("松田", "マツダ"), ("髙田", "タカダ"), ("山﨑", "ヤマサキ"),
]  # fmt: skip
GIVEN_NAMES = {
    "female": [
        ("花子", "ハナコ"), ("陽子", "ヨウコ"), ("恵子", "ケイコ"), ("美穂", "ミホ"),
        ("由美", "ユミ"), ("真由美", "マユミ"), ("裕子", "ユウコ"), ("智子", "トモコ"),
        ("直美", "ナオミ"), ("明美", "アケミ"), ("さくら", "サクラ"), ("愛", "アイ"),
        ("彩", "アヤ"), ("美咲", "ミサキ"), ("結衣", "ユイ"), ("千尋", "チヒロ"),
        ("香織", "カオリ"), ("麻衣", "マイ"), ("久美子", "クミコ"), ("幸子", "サチコ"),
    ],
    "male": [
        ("太郎", "タロウ"), ("一郎", "イチロウ"), ("健", "ケン"), ("誠", "マコト"),
        ("大輔", "ダイスケ"), ("翔太", "ショウタ"), ("拓也", "タクヤ"), ("健太", "ケンタ"),
        ("浩", "ヒロシ"), ("修", "オサム"), ("隆", "タカシ"), ("聡", "サトシ"),
        ("和也", "カズヤ"), ("直樹", "ナオキ"), ("雄一", "ユウイチ"), ("勇気", "ユウキ"),
        ("亮", "リョウ"), ("学", "マナブ"), ("剛", "ツヨシ"), ("正樹", "マサキ"),
    ],
}  # fmt: skip

# ── The partner directory ───────────────────────────────────────────────────────────
OK = Organisation.Kind
KIND_WEIGHTS = {
    OK.GOVERNMENT: 14, OK.NPO: 20, OK.PROFESSIONAL: 20, OK.BUSINESS: 15, OK.MEDICAL: 8,
    OK.SOCIAL_WELFARE_COUNCIL: 3, OK.COOP: 3, OK.EDUCATION: 3, OK.RENGO: 1, OK.ROFUKUKYO: 0.5,
    OK.ROKIN: 0.5, OK.KOKUMIN_KYOSAI: 0.5, OK.OTHER: 10,
}  # fmt: skip
# The fields (相談分野) each kind of partner serves, and how its names read.
KIND_FIELDS = {
    OK.GOVERNMENT: ["W1", "W2", "L2", "H1", "L1"],
    OK.NPO: ["L1", "L2", "H1", "H2", "O2", "W2"],
    OK.PROFESSIONAL: ["W1", "L3"],
    OK.BUSINESS: ["L3", "O2", "W3"],
    OK.MEDICAL: ["H2", "H1"],
    OK.SOCIAL_WELFARE_COUNCIL: ["L2", "H1", "L3", "O1"],
    OK.COOP: ["L2", "L3", "L1"],
    OK.EDUCATION: ["L1", "W2"],
    OK.RENGO: ["W1"],
    OK.ROFUKUKYO: ["L3", "O2", "L1"],
    OK.ROKIN: ["L3", "W3"],
    OK.KOKUMIN_KYOSAI: ["L3"],
    OK.OTHER: ["O1", "O2", "O9", "L2"],
}
KIND_NAMES = {
    OK.GOVERNMENT: ["{town}役所 {word}課", "{town}労働相談窓口", "{town}保健センター"],
    OK.NPO: ["NPO法人 {town}{word}の会", "NPO法人 {word}ネット{town}"],
    OK.PROFESSIONAL: ["{word}法律事務所", "{word}社会保険労務士事務所", "{word}司法書士事務所"],
    OK.BUSINESS: ["{word}商店", "株式会社{word}", "{town}{word}ストア"],
    OK.MEDICAL: ["{town}{word}クリニック", "{word}病院 医療相談室"],
    OK.SOCIAL_WELFARE_COUNCIL: ["{town}社会福祉協議会 {word}支所"],
    OK.COOP: ["{word}生活協同組合"],
    OK.EDUCATION: ["{town}{word}学園", "{word}大学 相談室"],
    OK.RENGO: ["連合 {town}地域協議会"],
    OK.ROFUKUKYO: ["{town}地区労働者福祉協議会"],
    OK.ROKIN: ["ろうきん {town}支店"],
    OK.KOKUMIN_KYOSAI: ["こくみん共済 coop {town}ショップ"],
    OK.OTHER: ["{town}{word}センター", "{word}協会"],
}
NAME_WORDS = [
    "ひまわり", "あおぞら", "さくら", "みらい", "つばさ", "ともしび", "わかば", "やまびこ",
    "こもれび", "のぞみ", "はばたき", "かがやき", "ささえ", "ふれあい", "ゆうあい", "なごみ",
    "北", "南", "東", "西", "中央", "駅前", "本町", "緑", "若草", "春日", "朝日", "松風",
]  # fmt: skip
SERVICE_NAMES = {
    "W1": ["労働相談", "弁護士による労働相談", "社労士の無料相談", "組合づくり相談"],
    "W2": ["就職相談", "職業訓練の案内", "若者の就労支援"],
    "W3": ["創業相談", "事業資金の融資相談"],
    "L1": ["子育て相談", "奨学金返済相談", "ひとり親家庭の相談"],
    "L2": ["生活困窮の相談", "住まいの相談", "フードバンク", "家族の悩み相談"],
    "L3": ["多重債務相談", "消費生活相談", "法律相談", "ローン相談", "共済の相談"],
    "H1": ["介護の相談", "障害福祉サービスの相談", "権利擁護の相談"],
    "H2": ["こころの健康相談", "医療ソーシャルワーカーの相談", "依存症の相談"],
    "O1": ["防災の相談", "地域活動の相談"],
    "O2": ["ボランティア相談", "スポレク・文化の案内", "退職前セミナー"],
    "O9": ["よろず相談"],
}
QUALIFICATIONS = {
    OK.PROFESSIONAL: [
        Contact.Qualification.LAWYER,
        Contact.Qualification.LABOUR_CONSULTANT,
        Contact.Qualification.JUDICIAL_SCRIVENER,
    ],
    OK.MEDICAL: [Contact.Qualification.SOCIAL_WORKER, Contact.Qualification.PUBLIC_HEALTH_NURSE],
}

# ── Referrals ───────────────────────────────────────────────────────────────────────
ASK_CHANNELS = {Channel.PHONE: 60, Channel.FAX: 12, Channel.IN_PERSON: 13, Channel.LINK: 15}
ANSWER_CHANNELS = {Channel.PHONE: 65, Channel.EMAIL: 10, Channel.LINK: 25}
DECLINE_REASONS = {"not_eligible": 35, "no_capacity": 45, "other": 20}
OUTCOMES = {
    "resolved": 40,
    "support_continues": 25,
    "unsuccessful": 10,
    "no_contact": 12,
    "referred_on": 13,
}
FOLLOW_UP_METHODS = {
    FollowUp.Method.PHONE: 60,
    FollowUp.Method.VISIT: 15,
    FollowUp.Method.EMAIL: 10,
    FollowUp.Method.LINK: 10,
    FollowUp.Method.OTHER: 5,
}
CLOSED_REASONS = {
    Case.ClosedReason.RESOLVED: 25,
    Case.ClosedReason.ADVICE_GIVEN: 50,
    Case.ClosedReason.NO_CONTACT: 12,
    Case.ClosedReason.WITHDRAWN: 5,
    Case.ClosedReason.OTHER: 3,
    Case.ClosedReason.REFERRED: 5,
}
OUTCOME_OF_CONTACT = {
    OUT.ADVICE: 40,
    OUT.INFORMATION: 22,
    OUT.CONTINUING: 28,
    OUT.RESOLVED: 6,
    OUT.OTHER: 4,
}
FOLLOW_UP_DAYS = {None: 80, 10: 15, 20: 5}  # a service's own follow-up rhythm, if any
NEED = "{topic}について、専門の窓口で相談を受けたい。"
WISHES = [
    "できれば平日の夕方に相談したい。",
    "同じ話を何度もしなくて済むようにしてほしい。",
    "費用がかからない方法を知りたい。",
    "",
]

# ── Members ─────────────────────────────────────────────────────────────────────────
MEMBER_HISTORY_YEARS = 20  # the register is older than the consultation records
PAYMENT_METHODS = {
    Payment.Method.TRANSFER: 45,
    Payment.Method.DIRECT_DEBIT: 30,
    Payment.Method.CASH: 25,
}
LEAVE_REASONS = {
    Member.LeaveReason.REQUEST: 50,
    Member.LeaveReason.UNPAID: 20,
    Member.LeaveReason.MOVED: 15,
    Member.LeaveReason.DECEASED: 10,
    Member.LeaveReason.OTHER: 5,
}
ORGANISATION_SUFFIXES = ["労働組合", "株式会社", "協同組合", "ユニオン", "協会"]


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind for a number of consultations."""

    consultations: int
    years: int = 10
    centres: int = CENTRES

    def count(self, kind):
        return max(1, round(self.consultations * RATIOS[kind]))

    @property
    def clients(self):
        return self.count("clients")

    @property
    def cases(self):
        return max(self.count("cases"), self.clients)

    @property
    def anonymous_cases(self):
        return min(round(self.cases * ANONYMOUS_CASES), self.cases - self.clients)

    @property
    def referrals(self):
        return self.count("referrals")

    @property
    def organisations(self):
        return self.count("organisations")

    @property
    def members(self):
        return self.count("members")


def plain(value):
    """The stored value of a choice: psycopg would COPY an Enum member by its name."""
    return value.value if isinstance(value, enum.Enum) else value


class Picker:
    """A weighted choice, drawn with one random number and a binary search."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, weights):
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.values = [plain(value) for value, _weight in items]
        self.cumulative = list(itertools.accumulate(weight for _value, weight in items))
        self.total = self.cumulative[-1]

    def __call__(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


class Writer:
    """Writes planned rows (dicts by attname, with their id) table by table.

    On PostgreSQL by COPY, elsewhere by bulk_create; both in the caller's transaction.
    Fields the rows leave out take the field's default (or `now` for auto_now fields).
    """

    def __init__(self, *, batch_size, use_copy, now):
        self.batch_size = batch_size
        self.use_copy = use_copy
        self.now = now
        self.written = []

    def first_id(self, model):
        return (model._base_manager.aggregate(last=Max("pk"))["last"] or 0) + 1

    def write(self, model, rows):
        """Write `rows`, an iterable of dicts; returns how many."""
        if model not in self.written:
            self.written.append(model)
        if self.use_copy:
            return self._copy(model, rows)
        count = 0
        rows = iter(rows)
        while batch := list(itertools.islice(rows, self.batch_size)):
            model._base_manager.bulk_create(
                [model(**row) for row in batch], batch_size=self.batch_size
            )
            count += len(batch)
        return count

    def _copy(self, model, rows):
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        # Rows without an id take the next ones of the table's sequence.
        pk = model._meta.pk.attname
        fields = [f for f in model._meta.concrete_fields if f.attname != pk or pk in first]
        attnames = [f.attname for f in fields]
        defaults = {f.attname: self._default(f) for f in fields}
        quote = connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
        )
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in itertools.chain([first], rows):
                copy.write_row([row[name] if name in row else defaults[name] for name in attnames])
                count += 1
        return count

    def _default(self, field):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now
        return plain(field.get_default())

    def finish(self):
        """Move the id sequences past the ids written (PostgreSQL; SQLite follows by itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.written)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def analyse(self):
        """Fresh planner statistics and visibility maps for the tables written, as
        autovacuum would leave them some minutes later (PostgreSQL; inside a transaction,
        as in tests, statistics only)."""
        if connection.vendor != "postgresql":
            return
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in self.written:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


@dataclass
class Part:
    """What one part of the generation made, and how long it took."""

    name: str
    counts: dict
    seconds: float


@dataclass
class Result:
    parts: list = field(default_factory=list)
    prefecture: str = ""
    copy: bool = False


class _ClientPlan:
    __slots__ = (
        "age",
        "birth_date",
        "center",
        "created_at",
        "created_by",
        "family",
        "given",
        "id",
        "phone_home",
        "phone_mobile",
        "profile",
        "stated_age",
        "stated_age_on",
    )


class _CasePlan:
    __slots__ = (
        "age",
        "assigned_to",
        "center",
        "client",
        "closed_at",
        "closed_reason",
        "consulter",
        "contacts",
        "created_by",
        "events",
        "id",
        "main",
        "number",
        "profile",
        "referrals",
        "restricted",
        "slots",
        "status",
        "story",
    )


class _ContactPlan:
    __slots__ = ("action", "at", "case", "channel", "id", "outcome", "summary", "taker", "topics")


class Generator:
    """Plans and writes the region's data; `run()` returns a Result."""

    def __init__(self, scale, *, seed, batch_size=5000, use_copy=None, report=None):
        self.scale = scale
        self.rng = random.Random(seed)  # noqa: S311 (invented data, not secrets)
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localdate()
        # The data ends at the start of today, so that no contact lies in the future and
        # two runs on the same day give the same rows.
        self.end = datetime.datetime.combine(self.today, datetime.time(), self.zone)
        self.first_day = self.today - relativedelta(years=scale.years)
        if use_copy is None:
            use_copy = connection.vendor == "postgresql"
        self.writer = Writer(batch_size=batch_size, use_copy=use_copy, now=timezone.now())
        self.report = report or (lambda part: None)
        self.result = Result(copy=use_copy)
        self._labels = {}

    def run(self):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check each row's keys as it is written rather than queue millions of
                # checks for the commit; the tables are written in dependency order.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._timed("region", self.region)
            self._timed("directory", self.directory)
            self._timed("members", self.members)
            self._timed("consultations", self.consultations)
            self._timed("referrals", self.referrals)
            self.writer.finish()
        self._timed("statistics", lambda: self.writer.analyse() or {})
        return self.result

    def _timed(self, name, step):
        started = time.monotonic()
        counts = step()
        part = Part(name, counts, time.monotonic() - started)
        self.result.parts.append(part)
        self.report(part)

    # ── helpers ─────────────────────────────────────────────────────────────────────

    def chance(self, probability):
        return self.rng.random() < probability

    def at(self, day, hour, minute=None):
        minute = self.rng.randrange(60) if minute is None else minute
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def office_time(self, day):
        return self.at(day, self.rng.randint(9, 17))

    def hsds_id(self, row_id):
        """A random UUID that ends in the row's id, so that a second run (--force) with
        the same seed gives new ones."""
        return uuid.UUID(int=(self.rng.getrandbits(96) << 32) | row_id, version=4)

    def label(self, choice):
        """The translated label of a choice, looked up once."""
        if choice not in self._labels:
            self._labels[choice] = str(choice.label)
        return self._labels[choice]

    # ── region: centres, staff, membership types ───────────────────────────────────

    def region(self):
        prefecture = Prefecture.objects.filter(is_served=True).order_by("code").first()
        if prefecture is None:
            # The demo's region, 石川県, as seed_demo serves it.
            prefecture = Prefecture.objects.get(code="17")
            prefecture.is_served = True
            prefecture.save(update_fields=["is_served"])
        self.result.prefecture = prefecture.name
        places = list(Municipality.objects.filter(prefecture=prefecture).order_by("code"))
        # Centres in the cities first (codes ending 2xx), in code order: the capital first.
        cities = [m for m in places if m.code[2] == "2"] + [m for m in places if m.code[2] != "2"]
        self.centres = []
        for municipality in cities[: self.scale.centres]:
            centre, _created = Center.objects.get_or_create(
                code=f"LS{municipality.code}",
                defaults={"name": f"{municipality.name}ライフサポートセンター"},
            )
            centre.municipality = municipality
            self.centres.append(centre)
        # The capital's centre is the busiest; the others by their rank.
        self.centre_picker = Picker({i: 1 / (i + 1) for i in range(len(self.centres))})
        self.residence = Picker({m.pk: (3 if m.code[2] == "2" else 1) for m in places} | {None: 2})
        self.takers, self.coordinators, self.staff_names = {}, {}, {}
        staff = 0
        for index, centre in enumerate(self.centres):
            self.takers[index], self.coordinators[index] = [], []
            for role, count in STAFF.items():
                for number in range(1, count + 1):
                    user = self._staff(centre, role, number)
                    self.staff_names[user.pk] = user.name
                    self.takers[index].append(user.pk)
                    if role == Role.COORDINATOR:
                        self.coordinators[index].append(user.pk)
                    staff += 1
        self.types = {}
        for code, name, holder, fee, expires, grace, admin_only, description in TYPES:
            self.types[code], _created = MembershipType.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "holder": holder,
                    "annual_fee": fee,
                    "expires": expires,
                    "grace_months": grace,
                    "admin_only": admin_only,
                    "description": description,
                },
            )
        topics = Topic.objects.select_related("category").order_by("code")
        self.topics = {t.code: t for t in topics}
        self.topic_picker = Picker({code: TOPIC_SHARES.get(code, 1) for code in self.topics})
        self.field_topics = {}
        for code, topic in self.topics.items():
            self.field_topics.setdefault(topic.category.code, {})[code] = TOPIC_SHARES.get(code, 1)
        self.field_pickers = {f: Picker(weights) for f, weights in self.field_topics.items()}
        return {"centres": len(self.centres), "staff": staff}

    def _staff(self, centre, role, number):
        slug = "counter" if role == Role.COUNTER else "coordinator"
        username = f"{centre.code.lower()}-{slug}{number}"
        # Drawn even for an existing user, so that the rest of the data does not change.
        family, family_kana = self.rng.choice(FAMILY_NAMES)
        given, given_kana = self.rng.choice(GIVEN_NAMES[self.rng.choice(["female", "male"])])
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                name=f"{family} {given}",
                name_kana=f"{family_kana} {given_kana}",
                email=f"{username}@example.jp",
                center=centre,
            )
            user.set_unusable_password()
            user.save()
            user.set_roles([role])
        return user

    # ── the partner directory ───────────────────────────────────────────────────────

    def directory(self):
        rng = self.rng
        places = list(Municipality.objects.filter(prefecture__is_served=True).order_by("code"))
        kinds = Picker(KIND_WEIGHTS)
        organisations, services, contacts, topic_links, area_links = [], [], [], [], []
        ids = {
            model: self.writer.first_id(model)
            for model in (
                Organisation,
                Service,
                Contact,
                Service.topics.through,
                Service.areas.through,
            )
        }
        # Active services by field, for the referrals: (service, organisation, names, days).
        self.services_by_field = {}
        self.contacts_of = {}
        for _ in range(self.scale.organisations):
            kind = kinds(rng)
            town = rng.choice(places)
            name = rng.choice(KIND_NAMES[kind]).format(town=town.name, word=rng.choice(NAME_WORDS))
            organisation_id = ids[Organisation] + len(organisations)
            active = self.chance(0.95)
            verified = self.today - datetime.timedelta(days=rng.randint(0, 900))
            address = (
                f"{town.name}{rng.choice(NAME_WORDS)}町{rng.randint(1, 30)}-{rng.randint(1, 20)}"
            )
            organisations.append(
                {
                    "id": organisation_id,
                    "hsds_id": self.hsds_id(organisation_id),
                    "name": name,
                    "name_kana": "",
                    "aliases": "",
                    "kind": kind,
                    "description": "",
                    "postcode": "",
                    "address": address,
                    "municipality_id": town.pk,
                    "phone": f"0{rng.randint(11, 99)}{rng.randrange(10**7):07d}",
                    "tie": rng.choice(list(Organisation.Tie.values)),
                    "is_active": active,
                    "verified_on": verified if self.chance(0.8) else None,
                    "search_text": search_key(f"{name} {address}"),
                }
            )
            fields = KIND_FIELDS[kind]
            contact_id = None
            if self.chance(0.9):
                contact_id = ids[Contact] + len(contacts)
                family, kana = rng.choice(FAMILY_NAMES)
                qualification = rng.choice(QUALIFICATIONS.get(kind, [Contact.Qualification.STAFF]))
                contacts.append(
                    {
                        "id": contact_id,
                        "hsds_id": self.hsds_id(contact_id),
                        "organisation_id": organisation_id,
                        "name": family,
                        "name_kana": kana,
                        "qualification": plain(qualification),
                    }
                )
            for _service in range(1 + int(rng.expovariate(1.0))):
                service_id = ids[Service] + len(services)
                main_field = rng.choice(fields)
                service_name = rng.choice(SERVICE_NAMES[main_field])
                status = Service.Status.ACTIVE if self.chance(0.9) else Service.Status.INACTIVE
                follow_days = Picker(FOLLOW_UP_DAYS)(rng)
                everywhere = self.chance(0.3)
                services.append(
                    {
                        "id": service_id,
                        "hsds_id": self.hsds_id(service_id),
                        "organisation_id": organisation_id,
                        "name": service_name,
                        "status": plain(status),
                        "serves_all_areas": everywhere,
                        "follow_up_days": follow_days,
                        "search_text": search_key(service_name),
                    }
                )
                served = {main_field, *rng.sample(fields, k=min(len(fields), rng.randint(0, 1)))}
                chosen = set()
                for field_code in served:
                    for _topic in range(rng.randint(1, 3)):
                        chosen.add(self.field_pickers[field_code](rng))
                for code in sorted(chosen):
                    topic_links.append(
                        {
                            "id": ids[Service.topics.through] + len(topic_links),
                            "service_id": service_id,
                            "topic_id": self.topics[code].pk,
                        }
                    )
                if not everywhere:
                    for town_id in sorted(
                        {rng.choice(places).pk for _ in range(rng.randint(1, 4))}
                    ):
                        area_links.append(
                            {
                                "id": ids[Service.areas.through] + len(area_links),
                                "service_id": service_id,
                                "municipality_id": town_id,
                            }
                        )
                if active and status == Service.Status.ACTIVE:
                    entry = (service_id, organisation_id, name, service_name, follow_days, kind)
                    for field_code in served:
                        self.services_by_field.setdefault(field_code, []).append(entry)
                    self.contacts_of[organisation_id] = contact_id
        # Write in dependency order: organisations, their services, then the rest.
        self.all_services = [
            entry for entries in self.services_by_field.values() for entry in entries
        ]
        self.writer.write(Organisation, organisations)
        self.writer.write(Service, services)
        self.writer.write(Contact, contacts)
        self.writer.write(Service.topics.through, topic_links)
        self.writer.write(Service.areas.through, area_links)
        self.organisation_names = {row["id"]: row["name"] for row in organisations}
        return {
            "organisations": len(organisations),
            "services": len(services),
            "contacts": len(contacts),
        }

    # ── members, fees and payments ──────────────────────────────────────────────────

    def members(self):
        rng = self.rng
        types = Picker({self.types[code].pk: weight for code, weight in TYPE_WEIGHTS.items()})
        type_of = {t.pk: t for t in self.types.values()}
        counters = {
            c.center_id: c.last for c in MemberNumberCounter.objects.filter(center__in=self.centres)
        }
        sequences = {
            index: max(counters.get(centre.pk, 0), self._last_member_sequence(centre))
            for index, centre in enumerate(self.centres)
        }
        this_year = fiscal_year_of(self.today - datetime.timedelta(days=1))
        first_fee_year = fiscal_year_of(self.first_day)
        history_start = self.today - relativedelta(years=MEMBER_HISTORY_YEARS)
        span = (self.today - history_start).days
        members, fees, payments = [], [], []
        member_id = self.writer.first_id(Member)
        fee_id = self.writer.first_id(Fee)
        payment_id = self.writer.first_id(Payment)
        for _ in range(self.scale.members):
            index = self.centre_picker(rng)
            centre = self.centres[index]
            membership_type = type_of[types(rng)]
            sequences[index] += 1
            number = f"{centre.code}-{sequences[index]:05d}"
            # Later years brought more members (growth), so joining dates lean recent.
            joined = history_start + datetime.timedelta(days=int(span * rng.random() ** 0.7))
            joined = min(joined, self.today - datetime.timedelta(days=1))
            left_on = leave_reason = ""
            if self.chance(0.18):
                left_on = joined + datetime.timedelta(days=rng.randint(30, 365 * 8))
                if left_on >= self.today:
                    left_on = ""
                else:
                    leave_reason = Picker(LEAVE_REASONS)(rng)
            person = membership_type.holder == MembershipType.Holder.PERSON
            if person:
                family, family_kana = rng.choice(FAMILY_NAMES)
                given, given_kana = rng.choice(GIVEN_NAMES[rng.choice(["female", "male"])])
                name, kana, contact = f"{family} {given}", f"{family_kana} {given_kana}", ""
            else:
                name = f"{rng.choice(NAME_WORDS)}{rng.choice(ORGANISATION_SUFFIXES)}"
                kana, contact = "", rng.choice(FAMILY_NAMES)[0]
            birth = None
            if person and self.chance(0.7):
                birth = joined - relativedelta(years=rng.randint(22, 70), days=rng.randint(0, 364))
            members.append(
                {
                    "id": member_id,
                    "center_id": centre.pk,
                    "number": number,
                    "sequence": sequences[index],
                    "membership_type_id": membership_type.pk,
                    "name": name,
                    "name_kana": kana,
                    "birth_date": birth,
                    "contact_person": contact,
                    "municipality_id": self.residence(rng),
                    "phone": f"090{rng.randrange(10**8):08d}" if self.chance(0.8) else "",
                    "union": rng.choice(UNIONS) if person and self.chance(0.4) else "",
                    "is_retired": membership_type.code == "lifetime",
                    "joined_on": joined,
                    "left_on": left_on or None,
                    "leave_reason": plain(leave_reason) if leave_reason else "",
                    "search_text": search_key(" ".join([number, name, kana, contact])),
                }
            )
            if membership_type.expires:
                last_year = fiscal_year_of(left_on) if left_on else this_year
                for year in range(max(fiscal_year_of(joined), first_fee_year), last_year + 1):
                    fee, payment = self._fee(
                        member_id, membership_type, year, this_year, joined, leave_reason, last_year
                    )
                    fee["id"] = fee_id
                    fees.append(fee)
                    if payment:
                        payment.update(id=payment_id, fee_id=fee_id)
                        payment["recorded_by_id"] = rng.choice(self.takers[index])
                        payments.append(payment)
                        payment_id += 1
                    fee_id += 1
            member_id += 1
        self.writer.write(Member, members)
        self.writer.write(Fee, fees)
        self.writer.write(Payment, payments)
        for index, centre in enumerate(self.centres):
            MemberNumberCounter.raise_to(centre, sequences[index])
        self.members_of = {}
        for row in members:
            if row["birth_date"] is not None or row["union"]:
                self.members_of.setdefault(row["center_id"], []).append(row["id"])
        return {"members": len(members), "fees": len(fees), "payments": len(payments)}

    def _last_member_sequence(self, centre):
        return Member.objects.filter(center=centre).aggregate(last=Max("sequence"))["last"] or 0

    def _fee(self, member_id, membership_type, year, this_year, joined, leave_reason, last_year):
        """A fiscal year's fee and its payment (None when unpaid or waived)."""
        rng = self.rng
        amount = membership_type.annual_fee
        fee = {"member_id": member_id, "fiscal_year": year, "amount": amount, "paid": 0}
        unpaid = 0.28 if year == this_year else 0.04
        if leave_reason == Member.LeaveReason.UNPAID and year >= last_year - 1:
            unpaid = 1
        draw = rng.random()
        if amount == 0 or draw < 0.03:
            fee.update(waived=True, waive_reason="会費免除（生活困窮）" if amount else "")
            return fee, None
        if draw < 0.03 + unpaid:
            return fee, None
        start = max(fiscal_year_start(year), joined)
        paid_on = start + datetime.timedelta(days=int(rng.expovariate(1 / 25)))
        paid_on = min(paid_on, self.today - datetime.timedelta(days=1))
        method = Picker(PAYMENT_METHODS)(rng)
        fee["paid"] = amount
        payment = {
            "paid_on": paid_on,
            "amount": amount,
            "method": method,
            "receipt_number": f"R{year}-{rng.randrange(10**6):06d}" if method == "cash" else "",
        }
        return fee, payment

    # ── clients, cases and consultations ────────────────────────────────────────────

    def consultations(self):
        self.days = self._day_picker()
        clients = self._plan_clients()
        cases = self._plan_cases(clients)
        contacts = self._plan_contacts(cases)
        self._plan_referrals(cases)
        self._settle_cases(cases)
        # Stable on ties, so the numbering is the same on every run.
        self.cases_by_opening = sorted(cases, key=lambda case: case.contacts[0].at)
        self._clients = clients
        self._write_clients(clients)
        self._write_cases(cases, clients)
        links = self._write_contacts(contacts)
        self.cases = cases
        return {
            "clients": len(clients),
            "cases": len(cases),
            "consultations": len(contacts),
            "topics": links,
        }

    def _day_picker(self):
        weights = {}
        day = self.first_day
        while day < self.today:
            years_ago = (self.today - day).days / 365.25
            weight = GROWTH**-years_ago * MONTH_LOAD[day.month] * WEEKDAY_LOAD[day.weekday()]
            if day.month == 1 and 4 <= day.day <= 20:
                weight *= NEW_YEAR_BUMP
            if closure_reason(day):
                weight *= CLOSED_DAY_LOAD
            weights[day] = weight
            day += datetime.timedelta(days=1)
        return Picker(weights)

    def _plan_clients(self):
        rng = self.rng
        genders = Picker(consultations_demo.GENDERS)
        ages = Picker(consultations_demo.AGE_BANDS)
        clients = []
        for _ in range(self.scale.clients):
            client = _ClientPlan()
            client.center = self.centre_picker(rng)
            client.family = rng.choice(FAMILY_NAMES)
            gender = genders(rng)
            given_names = GIVEN_NAMES.get(gender) or GIVEN_NAMES[rng.choice(["female", "male"])]
            client.given = rng.choice(given_names)
            low, high = ages(rng)
            client.age = rng.randint(low, high)
            client.phone_mobile = (
                f"{rng.choice(['090', '080', '070'])}{rng.randrange(10**8):08d}"
                if self.chance(0.85)
                else ""
            )
            client.phone_home = f"076{rng.randrange(10**7):07d}" if self.chance(0.2) else ""
            client.profile = {"gender": gender}
            clients.append(client)
        return clients

    def _profile(self, main, gender, *, anonymous):
        """The statistical attributes heard at a first contact (不明 where not asked)."""
        rng, demo = self.rng, consultations_demo
        work = self.topics[main].category.domain == "work"
        employment = Picker(demo.WORK_EMPLOYMENT if work else demo.LIFE_EMPLOYMENT)(rng)
        unknown = 0.3 if anonymous else 0.0
        in_work = employment not in demo.NOT_IN_WORK
        status = ""
        if in_work:
            status = Picker({"employed": 70, "leaving": 8, "left": 15, "": 7})(rng)
        elif employment == EmploymentType.JOB_SEEKING:
            status = EmploymentStatus.LEFT.value
        union = Picker(demo.UNIONS)(rng) if in_work else ""
        profile = {
            "gender": gender,
            "employment_type": employment,
            "employment_status": status,
            "industry": Picker(demo.INDUSTRIES)(rng) if in_work or status else "",
            "company_size": Picker(demo.SIZES)(rng) if in_work else "",
            "workplace_union": union,
            "workplace_union_name": (
                rng.choice(demo.UNION_NAMES) if union == WorkplaceUnion.YES else ""
            ),
            "municipality_id": None,
        }
        for name in ("gender", "employment_type", "industry", "company_size", "workplace_union"):
            if unknown and self.chance(unknown):
                profile[name] = ""
        return profile

    def _plan_cases(self, clients):
        rng, scale = self.rng, self.scale
        restricted = consultations_demo.RESTRICTED
        named = scale.cases - scale.anonymous_cases
        owners = list(range(len(clients))) + [
            rng.randrange(len(clients)) for _ in range(named - len(clients))
        ]
        owners += [None] * scale.anonymous_cases
        cases = []
        for owner in owners:
            case = _CasePlan()
            case.client = owner
            case.center = clients[owner].center if owner is not None else self.centre_picker(rng)
            case.main = self.topic_picker(rng)
            case.restricted = owner is not None and self.chance(restricted.get(case.main, 0))
            case.story = _story(self.topics[case.main])
            case.slots = None
            case.referrals = []
            case.events = []
            cases.append(case)
        # Contacts per case: one or two for anonymous callers, the rest spread over the
        # named cases with a long tail (some cases run to dozens of contacts).
        counts = [1 if c.client is not None or self.chance(0.88) else 2 for c in cases]
        target = scale.consultations - sum(counts[named:])
        mean_extra = max(target / named - 1, 0.01)
        for i in range(named):
            counts[i] = 1 + int(rng.expovariate(1 / mean_extra))
        difference = target - sum(counts[:named])
        while difference > 0:
            counts[rng.randrange(named)] += 1
            difference -= 1
        while difference < 0:
            i = rng.randrange(named)
            if counts[i] > 1:
                counts[i] -= 1
                difference += 1
        for case, count in zip(cases, counts, strict=True):
            case.contacts = self._contact_times(count)
        return cases

    def _contact_times(self, count):
        rng = self.rng
        day = self.days(rng)
        times = [self.at(day, rng.randint(9, 18))]
        for _ in range(count - 1):
            previous = times[-1]
            day = previous.date() + datetime.timedelta(days=int(rng.expovariate(1 / GAP_DAYS)) + 1)
            while not is_business_day(day) and day < self.today:
                day += datetime.timedelta(days=1)
            moment = self.at(day, rng.randint(9, 18))
            if moment >= self.end or moment <= previous:
                # Squeeze what is left of the story between the last contact and today.
                moment = previous + (self.end - previous) * rng.uniform(0.05, 0.5)
            times.append(moment)
        return times

    def _plan_contacts(self, cases):
        """Every contact's channel, taker, topics and texts; ids in the order received, as
        the intake would have given them."""
        rng, demo = self.rng, consultations_demo
        first_channels = Picker(demo.CHANNELS)
        later_channels = Picker(demo.FOLLOW_UP_CHANNELS)
        outcomes = Picker(OUTCOME_OF_CONTACT)
        contacts = []
        for case in cases:
            planned = []
            takers = self.takers[case.center]
            for position, moment in enumerate(case.contacts):
                contact = _ContactPlan()
                contact.case = case
                contact.at = moment
                contact.channel = (first_channels if position == 0 else later_channels)(rng)
                contact.taker = rng.choice(takers)
                contact.outcome = outcomes(rng)
                contact.topics = self._topics(
                    case.main if position == 0 or self.chance(0.9) else None
                )
                contact.summary = contact.action = None
                planned.append(contact)
            case.contacts = planned
            case.created_by = planned[0].taker
            contacts.extend(planned)
        contacts.sort(key=lambda contact: contact.at)
        first = self.writer.first_id(Consultation)
        for offset, contact in enumerate(contacts):
            contact.id = first + offset
        return contacts

    def _topics(self, main):
        """1–3 topics, the main concern (主訴) first."""
        rng = self.rng
        main = main or self.topic_picker(rng)
        count = Picker({1: 55, 2: 30, 3: 15})(rng)
        topics = [main]
        related = consultations_demo.RELATED.get(main, [])
        field_picker = self.field_pickers[self.topics[main].category.code]
        for _ in range(count - 1):
            code = rng.choice(related) if related and self.chance(0.7) else field_picker(rng)
            if code not in topics:
                topics.append(code)
        return topics

    def _texts(self, case, position):
        """What was said and what was done, from the demo's texts for the topic."""
        rng, demo = self.rng, consultations_demo
        if case.slots is None:
            case.slots = _slots(rng)
        if position == 0:
            summary, action = rng.choice(demo.FIRST_CONTACTS[case.main])
        else:
            summary = rng.choice(demo.FOLLOW_UPS[case.story])
            action = rng.choice(demo.FOLLOW_UP_ACTIONS)
        return summary.format(**case.slots), action.format(**case.slots)

    # ── referrals: planned before the cases are written, as they decide their status ─

    def _plan_referrals(self, cases):
        rng = self.rng
        named = [case for case in cases if case.client is not None]
        anonymous = [case for case in cases if case.client is None]
        # Longer stories are likelier to need a partner.
        weights = list(itertools.accumulate(min(len(case.contacts), 6) for case in named))
        for _ in range(self.scale.referrals):
            if anonymous and self.chance(0.06):
                case = rng.choice(anonymous)
            else:
                case = named[bisect.bisect_right(weights, rng.random() * weights[-1])]
            position = min(int(rng.expovariate(0.8)), len(case.contacts) - 1)
            contact = case.contacts[position]
            contact.outcome = OUT.REFERRED.value
            created = contact.at + datetime.timedelta(minutes=rng.randint(15, 180))
            if created >= self.end:
                created = contact.at + (self.end - contact.at) / 2
            case.referrals.append(self._referral_life(case, created))

    def _service_for(self, case):
        field_code = self.topics[case.main].category.code
        candidates = self.services_by_field.get(field_code) or self.all_services
        return self.rng.choice(candidates)

    def _referral_life(self, case, created):
        """The referral's moves from `created` on, by the verbs' rules, until the data ends."""
        rng, end = self.rng, self.end
        service, organisation, org_name, service_name, follow_days, kind = self._service_for(case)
        coordinator = rng.choice(self.coordinators[case.center])
        referral = {
            "center_id": self.centres[case.center].pk,
            "service_id": service,
            "organisation_id": organisation,
            "contact_id": self.contacts_of.get(organisation) if self.chance(0.6) else None,
            "need": NEED.format(topic=self.topics[case.main].name)[:200],
            "is_anonymous": case.client is None or self.chance(0.12),
            "status": S.DRAFT.value,
            "decline_reason": "",
            "outcome": "",
            "appointment_at": None,
            "appointment_place": "",
            "appointment_with": "",
            "follow_up_on": None,
            "coordinator_id": coordinator,
            "created_at": created,
            "created_by_id": coordinator,
            "asked_at": None,
            "answered_at": None,
            "referred_at": None,
            "closed_at": None,
        }
        life = {
            "referral": referral,
            "case": case,
            "kind": kind,
            "org_name": org_name,
            "service_name": service_name,
            "steps": [],
            "follow_ups": [],
            "ask_channel": None,
        }

        def move(at, status, *, by=coordinator, channel="", reason="", comment="", **changes):
            life["steps"].append(
                {
                    "at": at,
                    "old_status": referral["status"],
                    "status": status.value,
                    "by_id": by,
                    "channel": plain(channel),
                    "reason": reason,
                    "comment": comment,
                }
            )
            referral.update(status=status.value, **changes)

        # Draft → asked: the same day or the next, rarely dropped before asking.
        asked = created + datetime.timedelta(hours=rng.uniform(0.2, 30))
        if self.chance(0.02):
            cancelled = created + datetime.timedelta(days=rng.uniform(1, 10))
            if cancelled < end:
                move(cancelled, S.CANCELLED, closed_at=cancelled)
            return life
        if asked >= end:
            return life
        channel = Picker(ASK_CHANNELS)(rng)
        life["ask_channel"] = channel
        move(asked, S.ASKED, channel=channel, asked_at=asked)
        # The partner answers within days; a few never do and the coordinator gives up.
        answered = asked + datetime.timedelta(days=min(rng.expovariate(1 / 1.5), 14))
        if self.chance(0.02):
            cancelled = asked + datetime.timedelta(days=rng.uniform(20, 40))
            if cancelled < end:
                move(cancelled, S.CANCELLED, closed_at=cancelled)
            return life
        if answered >= end:
            return life
        answer_channel = Picker(ANSWER_CHANNELS)(rng)
        by_partner = None if answer_channel == Channel.LINK else coordinator
        if self.chance(0.1):
            reason = Picker(DECLINE_REASONS)(rng)
            move(
                answered,
                S.DECLINED,
                by=by_partner,
                channel=answer_channel,
                reason=reason,
                decline_reason=reason,
                answered_at=answered,
                closed_at=answered,
            )
            return life
        move(answered, S.ACCEPTED, by=by_partner, channel=answer_channel, answered_at=answered)
        referred = answered + datetime.timedelta(days=rng.expovariate(1 / 1.5))
        if self.chance(0.03):
            cancelled = referred
            if cancelled < end:
                move(cancelled, S.CANCELLED, closed_at=cancelled)
            return life
        if referred >= end:
            return life
        appointment_day = referred.date() + datetime.timedelta(days=rng.randint(2, 14))
        move(
            referred,
            S.REFERRED,
            referred_at=referred,
            appointment_at=self.at(appointment_day, rng.randint(10, 16), 0),
            appointment_place=f"{org_name}（{rng.choice(NAME_WORDS)}町）",
            appointment_with="担当の相談員",
            follow_up_on=add_business_days(referred.date(), follow_days or 5),
        )
        self._follow_ups(life, move, coordinator)
        return life

    def _follow_ups(self, life, move, coordinator):
        """その後の経過: checks around each date set, until an outcome is known. A few are
        forgotten and stay overdue."""
        rng, referral = self.rng, life["referral"]
        last_day = self.today - datetime.timedelta(days=1)
        for round_number in range(4):
            due = referral["follow_up_on"]
            if self.chance(0.01):
                return
            if self.chance(0.72):
                done_on = due - datetime.timedelta(days=rng.randint(0, 2))
            else:
                done_on = due + datetime.timedelta(days=rng.randint(1, 10))
            done_on = max(done_on, referral["referred_at"].date())
            if done_on > last_day:
                return
            done_at = self.office_time(done_on)
            if done_at <= referral["referred_at"]:
                done_at = referral["referred_at"] + datetime.timedelta(minutes=30)
            method = Picker(FOLLOW_UP_METHODS)(rng)
            by_partner = method == FollowUp.Method.LINK
            finished = round_number == 3 or (round_number >= 1 and self.chance(0.55))
            finished = finished or (round_number == 0 and self.chance(0.25))
            next_on = None
            if not finished:
                next_on = add_business_days(done_on, rng.choice([5, 10, 10, 15, 20]))
            note = rng.choice(consultations_demo.FOLLOW_UPS[life["case"].story]).format(
                **_default_slots()
            )
            life["follow_ups"].append(
                {
                    "done_on": done_on,
                    "due_on": due,
                    "method": method,
                    "spoke_with": "partner" if by_partner or self.chance(0.2) else "client",
                    "by_id": None if by_partner else coordinator,
                    "note": note,
                    "next_on": next_on,
                    "created_at": done_at,
                }
            )
            by = None if by_partner else coordinator
            if referral["status"] == S.REFERRED:
                move(done_at, S.FOLLOWING_UP, by=by, comment=note, follow_up_on=next_on)
            else:
                referral["follow_up_on"] = next_on
                life["steps"].append(
                    {"follow_up_line": True, "at": done_at, "by_id": by, "comment": note}
                )
            if finished:
                outcome = Picker(OUTCOMES)(rng)
                closed = done_at + datetime.timedelta(minutes=5)
                move(
                    closed,
                    S.COMPLETED,
                    by=by,
                    reason=outcome,
                    outcome=outcome,
                    follow_up_on=None,
                    closed_at=closed,
                )
                return

    def _settle_cases(self, cases):
        """Each case's status as the verbs leave it (asking a partner makes it 紹介中,
        referring the client フォロー中), its assignee, and the closing of quiet cases
        that have no referral open."""
        rng = self.rng
        closed_reasons = Picker(CLOSED_REASONS)
        settled_before = self.end - datetime.timedelta(days=SETTLED_DAYS)
        for case in cases:
            status = Case.Status.RECEIVED if len(case.contacts) == 1 else Case.Status.IN_PROGRESS
            moves = []
            last = case.contacts[-1].at
            still_open = False
            for life in case.referrals:
                referral = life["referral"]
                if referral["asked_at"]:
                    moves.append((referral["asked_at"], Case.Status.REFERRING))
                if referral["referred_at"]:
                    moves.append((referral["referred_at"], Case.Status.FOLLOW_UP))
                if referral["closed_at"] and referral["closed_at"] > last:
                    last = referral["closed_at"]
                still_open = still_open or referral["status"] in Referral.OPEN_STATUSES
            if moves:
                status = max(moves, key=lambda move: move[0])[1]
            case.assigned_to = case.created_by
            if case.referrals:
                case.assigned_to = case.referrals[-1]["referral"]["coordinator_id"]
            case.closed_at, case.closed_reason = None, ""
            if not still_open and last < settled_before and self.chance(0.95):
                reason = closed_reasons(rng)
                if any(life["referral"]["status"] == S.COMPLETED for life in case.referrals):
                    reason = Case.ClosedReason.REFERRED.value if self.chance(0.7) else reason
                case.closed_reason = reason
                case.closed_at = last + datetime.timedelta(days=rng.uniform(1, 30))
                case.events.append(
                    {
                        "kind": CaseEvent.Kind.STATUS.value,
                        "at": case.closed_at,
                        "by_id": case.assigned_to,
                        "old_value": status.value,
                        "new_value": Case.Status.CLOSED.value,
                        "reason": reason,
                        "text": "",
                    }
                )
                status = Case.Status.CLOSED
            case.status = status.value

    def _write_clients(self, clients):
        """Clients as their first contact left them: its date and taker, the age then,
        and the attributes heard (which later contacts repeat)."""
        rng = self.rng
        first_case = {}
        for case in self.cases_by_opening:
            if case.client is not None and case.client not in first_case:
                first_case[case.client] = case
        order = sorted(range(len(clients)), key=lambda i: (first_case[i].contacts[0].at, i))
        next_id = self.writer.first_id(Client)
        for offset, index in enumerate(order):
            clients[index].id = next_id + offset
        rows = []
        for index in order:
            client, case = clients[index], first_case[index]
            first = case.contacts[0]
            first_on = first.at.date()
            client.created_at, client.created_by = first.at, first.taker
            client.birth_date = client.stated_age = client.stated_age_on = None
            if self.chance(0.55):
                client.birth_date = first_on - relativedelta(
                    years=client.age, days=rng.randint(0, 364)
                )
            elif self.chance(0.8):
                client.stated_age, client.stated_age_on = client.age, first_on
            profile = self._profile(case.main, client.profile["gender"], anonymous=False)
            home = self.centres[client.center].municipality.pk
            profile["municipality_id"] = home if self.chance(0.55) else self.residence(rng)
            client.profile = profile
            family, family_kana = client.family
            given, given_kana = client.given
            rows.append(
                {
                    "id": client.id,
                    "center_id": self.centres[client.center].pk,
                    "family_name": family,
                    "given_name": given,
                    "family_name_kana": family_kana,
                    "given_name_kana": given_kana,
                    "birth_date": client.birth_date,
                    "stated_age": client.stated_age,
                    "stated_age_on": client.stated_age_on,
                    "phone_mobile": client.phone_mobile,
                    "phone_home": client.phone_home,
                    "prefecture_id": self.centres[client.center].municipality.prefecture_id,
                    "search_kana": search_key(family_kana + given_kana),
                    "search_name": search_key(family + given),
                    "created_at": client.created_at,
                    "created_by_id": client.created_by,
                    **profile,
                }
            )
        self.writer.write(Client, rows)

    def _write_cases(self, cases, clients):
        """Cases in the order they opened, numbered per centre and year as the intake
        numbers them, with the search text of their title, client and summaries."""
        rng, demo = self.rng, consultations_demo
        consulters = Picker(demo.CONSULTERS)
        routes = Picker(demo.ROUTES)
        genders = Picker(demo.GENDERS)
        ages = Picker(demo.AGE_BANDS)
        last_numbers = {
            (centre_id, year): last
            for centre_id, year, last in CaseNumberSequence.objects.filter(
                center__in=self.centres
            ).values_list("center", "year", "last_number")
        }
        next_id = self.writer.first_id(Case)
        rows = []
        for offset, case in enumerate(self.cases_by_opening):
            case.id = next_id + offset
            centre = self.centres[case.center]
            opened = case.contacts[0].at
            key = (centre.pk, opened.year)
            last_numbers[key] = last_numbers.get(key, 0) + 1
            case.number = f"{opened.year}-{last_numbers[key]:06d}"
            client = clients[case.client] if case.client is not None else None
            if client is not None:
                case.profile, case.age = client.profile, None
            else:
                case.profile = self._profile(case.main, genders(rng), anonymous=True)
                case.profile["municipality_id"] = self.residence(rng) if self.chance(0.6) else None
                low, high = ages(rng)
                case.age = rng.randint(low, high) if self.chance(0.75) else None
            kind = consulters(rng)
            relation = ""
            if kind == "family":
                relation = rng.choice(demo.RELATIVES)
            elif kind == "agency":
                relation = rng.choice(demo.AGENCY_RELATIONS)
            case.consulter = (kind, relation, routes(rng))
            title = self.topics[case.main].name[:100]
            parts = [title]
            if client is not None:
                parts += [
                    search_key(client.family[0] + client.given[0]),
                    search_key(client.family[1] + client.given[1]),
                ]
            for position, contact in enumerate(case.contacts):
                contact.summary, contact.action = self._texts(case, position)
                parts.append(contact.summary)
            rows.append(
                {
                    "id": case.id,
                    "center_id": centre.pk,
                    "number": case.number,
                    "client_id": client.id if client is not None else None,
                    "title": title,
                    "status": case.status,
                    "closed_reason": case.closed_reason,
                    "closed_at": case.closed_at,
                    "assigned_to_id": case.assigned_to,
                    "restricted": case.restricted,
                    "main_topic_id": self.topics[case.main].pk,
                    "opened_at": opened,
                    "last_contact_at": case.contacts[-1].at,
                    "search_text": " ".join(search_key(part) for part in parts),
                    "created_by_id": case.created_by,
                }
            )
        self.writer.write(Case, rows)
        for (centre_id, year), last in sorted(last_numbers.items()):
            CaseNumberSequence.objects.update_or_create(
                center_id=centre_id, year=year, defaults={"last_number": last}
            )

    def _write_contacts(self, contacts):
        """Consultations in the order received, then their topics (延べ)."""
        durations = consultations_demo.DURATIONS
        self.writer.write(Consultation, (self._consultation(c, durations) for c in contacts))
        topic_ids = {code: topic.pk for code, topic in self.topics.items()}
        return self.writer.write(
            ConsultationTopic,
            (
                {
                    "consultation_id": contact.id,
                    "case_id": contact.case.id,
                    "topic_id": topic_ids[code],
                    "is_main": position == 0,
                }
                for contact in contacts
                for position, code in enumerate(contact.topics)
            ),
        )

    def _consultation(self, contact, durations):
        rng, case = self.rng, contact.case
        received_on = contact.at.date()
        if case.client is not None:
            age = _age_on(self._clients[case.client], received_on)
        else:
            age = case.age
        low, high = durations[contact.channel]
        minutes = rng.randint(low, high) if self.chance(0.9) else None
        work = self.topics[case.main].category.domain == "work"
        kind, relation, route = case.consulter
        return {
            "center_id": self.centres[case.center].pk,
            "case_id": case.id,
            "client_id": self._clients[case.client].id if case.client is not None else None,
            "received_at": contact.at,
            "channel": contact.channel,
            "taken_by_id": contact.taker,
            "duration_minutes": minutes,
            "consulter_type": kind,
            "consulter_relation": relation,
            "route": route,
            "age": age,
            "summary": contact.summary,
            "action_taken": contact.action,
            "outcome": contact.outcome,
            "next_action_on": (
                received_on + datetime.timedelta(days=7)
                if contact.outcome == OUT.CONTINUING
                else None
            ),
            "counts_for_rengo": self.chance(0.95 if work else 0.85),
            "created_at": contact.at + datetime.timedelta(minutes=minutes or 5),
            **case.profile,
            "id": contact.id,
        }

    # ── referrals, with their consents, sheets, steps, follow-ups and records ───────

    def referrals(self):
        rng = self.rng
        lives = sorted(
            (life for case in self.cases for life in case.referrals),
            key=lambda life: life["referral"]["created_at"],
        )
        referral_id = self.writer.first_id(Referral)
        consent_id = self.writer.first_id(Consent)
        referrals, consents, sheets, steps, follow_ups, records = [], [], [], [], [], []
        events = [dict(event, case_id=case.id) for case in self.cases for event in case.events]
        summary_label = gettext("Consultation summary")
        follow_up_label = gettext("Follow-up")
        for life in lives:
            referral, case = life["referral"], life["case"]
            referral.update(id=referral_id, case_id=case.id, consent_id=None)
            client = self._clients[case.client] if case.client is not None else None
            created = referral["created_at"]
            coordinator = referral["coordinator_id"]
            if not referral["is_anonymous"]:
                consent = self._consent(consent_id, client, life, case)
                consents.append(consent)
                referral["consent_id"] = consent_id
                consent_id += 1
                if referral["asked_at"] is not None:
                    records.append(self._record(referral, consent, client, life, summary_label))
            referrals.append(referral)
            approved = referral["asked_at"] is not None and self.chance(0.7)
            sheets.append(
                {
                    "referral_id": referral_id,
                    "need": referral["need"],
                    "history": case.contacts[0].summary,
                    "already_tried": case.contacts[0].action,
                    "client_wishes": rng.choice(WISHES),
                    "contact_notes": "",
                    "updated_by_id": coordinator,
                    "approved_at": created + datetime.timedelta(minutes=10) if approved else None,
                    "approved_by_id": coordinator if approved else None,
                }
            )
            organisation = life["org_name"][:150]
            for step in life["steps"]:
                if step.get("follow_up_line"):
                    new_value = follow_up_label
                else:
                    steps.append(dict(step, referral_id=referral_id))
                    new_value = self.label(S(step["status"]))
                events.append(
                    {
                        "case_id": case.id,
                        "kind": CaseEvent.Kind.REFERRAL.value,
                        "at": step["at"],
                        "by_id": step["by_id"],
                        "old_value": organisation,
                        "new_value": new_value[:150],
                        "text": step["comment"],
                    }
                )
            follow_ups.extend(dict(row, referral_id=referral_id) for row in life["follow_ups"])
            referral_id += 1
        self.writer.write(Consent, consents)
        self.writer.write(Referral, referrals)
        self.writer.write(HandoffSheet, sheets)
        self.writer.write(ReferralStep, steps)
        self.writer.write(FollowUp, follow_ups)
        self.writer.write(ProvisionRecord, records)
        events.sort(key=lambda event: event["at"])
        self.writer.write(CaseEvent, events)
        return {
            "referrals": len(referrals),
            "steps": len(steps),
            "follow_ups": len(follow_ups),
            "records": len(records),
            "consents": len(consents),
            "events": len(events),
        }

    def _consent(self, consent_id, client, life, case):
        rng, referral = self.rng, life["referral"]
        method = Consent.Method.ORAL.value if self.chance(0.65) else Consent.Method.WRITTEN.value
        for_kind = self.chance(0.1)
        return {
            "id": consent_id,
            "client_id": client.id,
            "organisation_id": None if for_kind else referral["organisation_id"],
            "kind": plain(life["kind"]) if for_kind else "",
            "purpose": str(Consent._meta.get_field("purpose").get_default()),
            "shares_name": True,
            "shares_contact": True,
            "shares_address": self.chance(0.2),
            "shares_age": True,
            "shares_work": True,
            "shares_sensitive": case.restricted and self.chance(0.5),
            "method": method,
            "given_on": referral["created_at"].date(),
            "document_ref": f"同意書{rng.randrange(10**5):05d}" if method == "written" else "",
            "recorded_by_id": referral["coordinator_id"],
            "recorded_at": referral["created_at"],
        }

    def _record(self, referral, consent, client, life, summary_label):
        """第三者提供の記録 as ProvisionRecord.write leaves it when the partner is asked."""
        items = [
            str(Consent._meta.get_field(name).verbose_name)
            for name in Consent.ITEM_FIELDS
            if consent[name]
        ]
        coordinator = referral["coordinator_id"]
        basis = gettext("Consent of the client (%(method)s, %(day)s, recorded by %(by)s)") % {
            "method": self.label(Consent.Method(consent["method"])),
            "day": consent["given_on"].isoformat(),
            "by": self.staff_names[coordinator],
        }
        family, family_kana = client.family
        given, given_kana = client.given
        birth = f" {client.birth_date:%Y/%m/%d}生" if client.birth_date else ""
        provided = referral["asked_at"]
        return {
            "center_id": referral["center_id"],
            "client_id": client.id,
            "referral_id": referral["id"],
            "provided_at": provided,
            "recipient": f"{life['org_name']} {life['service_name']}"[:300],
            "client_identification": (
                f"{family} {given}（{family_kana} {given_kana}）{birth}"[:200]
            ),
            "items": "、".join([summary_label, *items])[:300],
            "consent_basis": basis[:300],
            "channel": plain(life["ask_channel"]),
            "provided_by_id": coordinator,
            "keep_until": provided.date() + relativedelta(years=PROVISION_KEEP_YEARS),
        }


def _age_on(client, day):
    """Client.age_on: from the date of birth, or the age given and when."""
    born = client.birth_date or client.stated_age_on
    if born is None:
        return None
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return years + (client.stated_age or 0) if client.birth_date is None else years


def _story(topic):
    """The kind of story a case on `topic` follows, as the demo tells it."""
    for story, codes in consultations_demo.STORIES.items():
        if topic.code in codes.split():
            return story
    return consultations_demo.STORY_OF_FIELD.get(topic.category.code, "life")


def _slots(rng):
    """The details a case's texts are filled with (consultations.demo's slots)."""
    demo = consultations_demo
    industry = rng.choice(list(demo.WORKPLACES))
    return {
        "workplace": rng.choice(demo.WORKPLACES[industry]),
        "boss": rng.choice(demo.BOSSES),
        "years": rng.randint(2, 20),
        "months": rng.randint(2, 10),
        "weeks": rng.randint(2, 6),
        "soon": rng.randint(1, 3),
        "amount": rng.choice([12, 18, 25, 30, 38, 45, 60, 80, 120]),
        "small": rng.randint(2, 5),
        "wage": rng.choice([850, 880, 900, 920, 950]),
        "overtime": rng.choice([40, 50, 60, 70, 80, 100]),
        "days": rng.randint(3, 20),
        "debt": rng.choice([80, 120, 150, 230, 300, 450, 600]),
        "lenders": rng.randint(3, 7),
        "arrears": rng.randint(2, 6),
        "relative": rng.choice(demo.RELATIVES),
        "kids": rng.randint(1, 3),
        "child_age": rng.randint(1, 5),
        "parent_age": rng.randint(72, 92),
        "town": "金沢",
    }


def _default_slots():
    return _DEFAULT_SLOTS


_DEFAULT_SLOTS = _slots(random.Random(0))  # noqa: S311
