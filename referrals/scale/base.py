"""The sizes, the weighted choice and the writer that the parts share."""

import bisect
import enum
import itertools
import time
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

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
# Words for partners' and organisations' names.
NAME_WORDS = [
    "ひまわり", "あおぞら", "さくら", "みらい", "つばさ", "ともしび", "わかば", "やまびこ",
    "こもれび", "のぞみ", "はばたき", "かがやき", "ささえ", "ふれあい", "ゆうあい", "なごみ",
    "北", "南", "東", "西", "中央", "駅前", "本町", "緑", "若草", "春日", "朝日", "松風",
]  # fmt: skip


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
    """Writes planned rows (dicts by attname, usually with their id) table by table.

    On PostgreSQL by COPY, elsewhere by bulk_create; both in the caller's transaction.
    Fields the rows leave out take the field's default (or `now` for auto_now fields).
    """

    def __init__(self, *, batch_size, use_copy, now):
        self.batch_size = batch_size
        self.use_copy = use_copy
        self.now = now
        self.written = []
        self.timings = []  # (table, rows, seconds) of every write, for -v 2

    def first_id(self, model):
        return (model._base_manager.aggregate(last=Max("pk"))["last"] or 0) + 1

    def write(self, model, rows):
        """Write `rows`, an iterable of dicts; returns how many."""
        if model not in self.written:
            self.written.append(model)
        started = time.monotonic()
        count = self._copy(model, rows) if self.use_copy else self._bulk_create(model, rows)
        self.timings.append((model._meta.db_table, count, time.monotonic() - started))
        return count

    def _bulk_create(self, model, rows):
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
            return {}
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in self.written:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
        return {}


@dataclass
class Part:
    """What one part of the generation made, and how long it took."""

    name: str
    counts: dict
    seconds: float


@dataclass
class Result:
    parts: list = field(default_factory=list)
    copy: bool = False
