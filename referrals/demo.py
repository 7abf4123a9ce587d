"""Demo referrals: some 40 at each demo centre, in every state, for `manage.py seed_demo`.

Each referral is made as staff and partners make one, through the services and the
referral's own verbs (start_referral, ask_partner, accept, decline, mark_referred,
add_follow_up, complete, cancel), so that its steps, the case's timeline and status, the
hand-off sheet and the records of provision agree. The verbs stamp the current time;
afterwards the timestamps are moved back to the days the plan gives them. Follow-ups fall
due today and some are overdue, counted from the day the demo is seeded; some partners
answer through their link (steps by nobody, by link) and one reports the outcome that way.

The cases are the demo consultations' open cases whose last contact came before the
referral (and that no earlier, informal referral names another partner); the partner is a
service of the demo directory for the case's main topic and the client's municipality.
Most clients have consented (orally or in writing, some for every partner of a kind); the
others are asked about anonymously. Everything is invented. No e-mail is sent and no
audit entry is written for demo rows. Never use the demo for real work.
"""

import datetime
import random
from dataclasses import dataclass, field
from itertools import groupby

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone, translation

from accounts.demo import DEMO_CENTERS
from accounts.models import Center, User
from consultations.demo import COORDINATORS
from consultations.models import Case, CaseEvent, Consent
from network.calendar_jp import add_business_days, is_business_day
from network.models import Contact, Service

from .models import (
    LINK_VALID_DAYS,
    PROVISION_KEEP_YEARS,
    Channel,
    FollowUp,
    HandoffSheet,
    PartnerLink,
    ProvisionRecord,
    Referral,
    ReferralStep,
)
from .services import ask_partner, start_referral

SEED = "lifesupport-referrals"

S = Referral.Status
DR = Referral.DeclineReason
OC = Referral.Outcome


def _r(status, **options):
    return {"status": status, **options}


# The stories told at each centre: the referrals of one case, oldest first (a case that
# one partner declined goes on to another). Optional stories are told when the centre
# has cases enough.
STORIES = [
    # Drafts: the sheet is being written; one is an anonymous enquiry.
    [_r(S.DRAFT)],
    [_r(S.DRAFT, anonymous=True)],
    [_r(S.DRAFT)],
    # Waiting for the partner's answer, asked by phone or fax, or by link.
    [_r(S.ASKED)],
    [_r(S.ASKED, link=True)],
    [_r(S.ASKED, anonymous=True)],
    # Accepted; the client is yet to be told where and when.
    [_r(S.ACCEPTED)],
    [_r(S.ACCEPTED, link=True)],
    # Declined, for each reason; two cases went on to another partner.
    [_r(S.DECLINED, reason=DR.NOT_ELIGIBLE, anonymous=True)],
    [_r(S.DECLINED, reason=DR.NO_CAPACITY, link=True), _r(S.ACCEPTED)],
    [_r(S.DECLINED, reason=DR.OTHER), _r(S.REFERRED, due="later")],
    # Referred: the first follow-up ahead, due today, or overdue.
    [_r(S.REFERRED, due="later")],
    [_r(S.REFERRED, due="today")],
    [_r(S.REFERRED, due="overdue", link=True)],
    [_r(S.REFERRED, due="overdue")],
    # Under follow-up.
    [_r(S.FOLLOWING_UP, due="later")],
    [_r(S.FOLLOWING_UP, due="today")],
    [_r(S.FOLLOWING_UP, due="overdue")],
    [_r(S.FOLLOWING_UP, due="overdue", link=True)],
    # Completed with each outcome; one reported by the partner through the link.
    [_r(S.COMPLETED, outcome=OC.RESOLVED, link=True, reported=True)],
    [_r(S.COMPLETED, outcome=OC.SUPPORT_CONTINUES)],
    [_r(S.COMPLETED, outcome=OC.UNSUCCESSFUL)],
    [_r(S.COMPLETED, outcome=OC.NO_CONTACT)],
    [_r(S.COMPLETED, outcome=OC.REFERRED_ON)],
    # Cancelled: before asking, after asking (the client withdrew consent), once accepted.
    [_r(S.CANCELLED, after=S.DRAFT), _r(S.DRAFT)],
    [_r(S.CANCELLED, after=S.ASKED, withdrawn=True)],
    [_r(S.CANCELLED, after=S.ACCEPTED)],
]
OPTIONAL_STORIES = [
    [_r(S.ASKED, link=True)],
    [_r(S.ASKED)],
    [_r(S.ACCEPTED)],
    [_r(S.DECLINED, reason=DR.NO_CAPACITY)],
    [_r(S.REFERRED, due="later", link=True)],
    [_r(S.REFERRED, due="today")],
    [_r(S.FOLLOWING_UP, due="later")],
    [_r(S.FOLLOWING_UP, due="overdue")],
    [_r(S.COMPLETED, outcome=OC.RESOLVED)],
    [_r(S.COMPLETED, outcome=OC.RESOLVED)],
    [_r(S.COMPLETED, outcome=OC.SUPPORT_CONTINUES, link=True, reported=True)],
    [_r(S.COMPLETED, outcome=OC.UNSUCCESSFUL)],
    [_r(S.COMPLETED, outcome=OC.NO_CONTACT)],
]

# Where each kind of problem goes: tiers of partners (fragments of their names in the demo
# directory), the first tier that has a service for the topic and the client's area wins.
LABOUR = ["労働基準監督署", "総合労働相談コーナー"]
LABOUR_OTHERS = ["金沢弁護士会", "連合石川", "社会保険労務士会"]
HARASSMENT = ["雇用環境・均等室", "総合労働相談コーナー"]
LIVING = ["社会福祉協議会", "自立相談支援"]
DEBT = ["法テラス", "司法書士会"]
PARTNERS = {
    "W1": [LABOUR, LABOUR_OTHERS],
    "W1-15": [HARASSMENT, LABOUR_OTHERS],
    "W1-16": [HARASSMENT, LABOUR_OTHERS],
    "W1-17": [HARASSMENT, LABOUR_OTHERS],
    "W1-18": [HARASSMENT, LABOUR_OTHERS],
    "W1-22": [["連合石川"]],
    "W2": [["ハローワーク"], ["若者サポートステーション"]],
    "W2-04": [LIVING, ["労働者福祉協議会"]],
    "W2-05": [LIVING, ["労働者福祉協議会"]],
    "W3": [["ワーカーズコープ"]],
    "L1": [["シングルペアレンツ", "子ども食堂", "子育て"], ["児童相談所"]],
    "L1-04": [["労働者福祉協議会", "労働金庫"]],
    "L2": [LIVING, ["労働者福祉協議会"]],
    "L2-04": [["フードバンク", "社会福祉協議会"]],
    "L2-06": [DEBT, ["社会福祉協議会"]],
    "L2-07": [["ウィメンズサポート"]],
    "L3": [DEBT, ["労働金庫", "生活再建の会"]],
    "L3-04": [["こくみん共済"]],
    "L3-05": [["消費生活"]],
    "L3-06": [["社会保険労務士会"]],
    "L3-07": [["税理士会"]],
    "H1": [["地域包括支援センター"], ["社会福祉協議会"]],
    "H2": [["こころの健康センター"], ["医療", "病院"]],
    "O1": [["社会福祉協議会"]],
    "O2": [["社会福祉協議会"]],
}

# ── What staff and partners write ───────────────────────────────────────────────────
NEEDS = {
    "W1-01": "解雇の撤回を求めたい。解雇予告手当の請求とあっせんの手続きを相談したい",
    "W1-02": "雇止めに納得できない。契約更新の経緯を踏まえて助言と、あっせんを相談したい",
    "W1-03": "退職勧奨が続いている。会社への申し入れの仕方と、助言・指導の申出を相談したい",
    "W1-05": "退職を認めてもらえない。退職の手続きと会社とのやり取りを相談したい",
    "W1-10": "未払いの賃金について、労基署への申告の仕方を相談したい",
    "W1-11": "未払いの残業代について、タイムカードの写しをもとに申告の仕方を相談したい",
    "W1-13": "月80時間を超える残業が続いている。長時間労働の申告を相談したい",
    "W1-14": "有給休暇を取らせてもらえない。会社への是正を相談したい",
    "W1-15": "上司からのパワハラについて、会社への申し入れと助言・指導の申出を相談したい",
    "W1-16": "セクハラについて、会社の措置義務と調停の手続きを相談したい",
    "W1-20": "仕事中のけがについて、労災の請求の仕方を相談したい",
    "W1-22": "職場に組合をつくりたい。仲間の集め方から相談したい",
    "W2-01": "離職後の仕事探しと、職業訓練の受講を相談したい",
    "W2-02": "離職票が届かない。失業給付の手続きを相談したい",
    "W2-04": "離職で家賃が払えない。住居確保給付金が使えるか相談したい",
    "W2-05": "離職中の生活費が足りない。緊急小口資金の貸付を相談したい",
    "L2-02": "家賃を2か月滞納している。住居確保給付金と家計の立て直しを相談したい",
    "L2-03": "当面の生活費が足りない。生活福祉資金の貸付と家計の相談をしたい",
    "L2-04": "今週の食べるものにも困っている。緊急の食料支援を受けたい",
    "L2-06": "離婚と養育費の取り決めについて、法律相談を受けたい",
    "L2-07": "配偶者からの暴力について、安全な相談先と同行支援を受けたい",
    "L2-09": "生活保護の申請について、同行も含めて相談したい",
    "L3-01": "複数社からの借入れの返済が苦しい。債務整理について相談したい",
    "L3-02": "家計が回らない。家計の見直しと借入れの整理を相談したい",
    "L3-05": "訪問販売で高額な契約をしてしまった。解約の手続きを相談したい",
    "L3-08": "親の相続の手続きと、相続放棄について相談したい",
    "L3-10": "退去時に高額な原状回復費を請求された。支払う必要があるか相談したい",
    "H1-01": "親の介護と仕事の両立について、介護サービスの利用を相談したい",
    "H2-02": "眠れない日が続いている。専門の相談につなぎたい",
}
FIELD_NEEDS = {
    "W1": "職場の問題について、専門の窓口で助言を受けたい",
    "W2": "仕事探しと雇用保険の手続きを相談したい",
    "L1": "子育てと家庭のことで、支援の窓口を紹介してほしい",
    "L2": "暮らしの困りごとについて、支援の窓口で相談したい",
    "L3": "お金と法律の問題について、専門家に相談したい",
    "H1": "介護と福祉のサービスについて相談したい",
    "H2": "健康と心の悩みについて、専門の相談につなぎたい",
}
WISHES = [
    "平日の夕方以降の面談を希望。",
    "電話より、会って話したいとのこと。",
    "会社に知られないように進めたい。",
    "できれば女性の相談員を希望。",
    "書類の準備を手伝ってほしいとのこと。",
    "同じ話を何度もしなくて済むようにしてほしい。",
    "土曜に相談できるとありがたい。",
]
ASK_CHANNELS = {Channel.PHONE: 70, Channel.FAX: 15, Channel.IN_PERSON: 15}
ASK_NOTES = {
    Channel.PHONE: [
        "電話で概要を伝え、受入れの可否を打診。",
        "担当者に電話。申し送り票の内容を伝えた。",
    ],
    Channel.FAX: ["申し送り票をFAXで送り、電話で受入れを打診。"],
    Channel.IN_PERSON: ["窓口に出向いて打診。", "本人に同行して窓口で打診。"],
    Channel.LINK: ["回答用のリンクをメールで送付。"],
}
ACCEPT_NOTES = [
    "来週の午後なら面談できるとのこと。",
    "本人から直接予約の電話をもらえれば対応するとのこと。",
    "申し送り票の内容で受け入れ可。持ち物は給与明細と雇用契約書。",
    "受け入れ可。初回は1時間ほどの面談。",
]
LINK_ACCEPT_NOTES = [
    "申し送り票を拝見しました。来週火曜の14時に面談できます。",
    "お受けします。ご本人から予約のお電話をいただけますでしょうか。",
]
DECLINE_NOTES = {
    DR.NOT_ELIGIBLE: "相談内容が対象外とのこと。別の窓口を案内された。",
    DR.NO_CAPACITY: "今月は相談枠が埋まっており、受け入れが難しいとのこと。",
    DR.OTHER: "本人の状況を確かめてから改めて、とのこと。",
}
LINK_DECLINE_NOTE = "申し訳ありませんが、今月は相談枠が埋まっています。来月以降なら対応できます。"
WITH_WHOM = ["受付で名前を伝える", "担当の相談員", "相談員"]
FOLLOW_UP_NOTES = {
    FollowUp.Party.CLIENT: [
        "初回面談を終えた。次回は書類を持参するとのこと。",
        "面談に行けた。話をよく聞いてもらえたとのこと。",
        "まだ予約が取れていない。改めて電話してみるよう伝えた。",
        "先方から宿題が出て、書類を集めているところ。",
    ],
    FollowUp.Party.PARTNER: [
        "先方担当者より、面談は済み、次回は来月の予定と連絡あり。",
        "先方から、手続きを進めているとの連絡あり。",
    ],
}
NO_ANSWER_NOTE = "電話に出ない。時間を変えて改めて連絡する。"
OUTCOME_NOTES = {
    OC.RESOLVED: "未払い分が支払われ、本人も納得しているとのこと。",
    OC.SUPPORT_CONTINUES: "先方で継続して支援中。月1回の面談が続いている。",
    OC.UNSUCCESSFUL: "話し合いは不調に終わった。本人はこれ以上は望まないとのこと。",
    OC.NO_CONTACT: "3回電話したが本人と連絡がつかない。",
    OC.REFERRED_ON: "先方から弁護士会の法律相談に再紹介された。",
}
LINK_REPORT_NOTE = "面談を3回行い、請求の手続きを終えました。ご本人から解決したと伺っています。"
CANCEL_NOTES = {
    S.DRAFT: "本人が自分で窓口に行くことにしたため取消。",
    S.ASKED: "本人が同意を撤回したため取消。",
    S.ACCEPTED: "会社との話し合いで解決したため取消。",
}
WITHDRAWAL_NOTE = "家族に知られたくないとのことで、同意を撤回。"
# A case whose referral ended so closes, unless the client is still being helped.
CASE_CLOSING = {
    OC.RESOLVED: (Case.ClosedReason.RESOLVED, "紹介先で解決。"),
    OC.NO_CONTACT: (Case.ClosedReason.NO_CONTACT, "紹介後、連絡がつかないため終了。"),
    OC.REFERRED_ON: (Case.ClosedReason.REFERRED, "紹介先から他機関へ引き継がれた。"),
}


# What the verbs stamp with the current time, moved to the planned moments at the end.
BACKDATED = {
    Referral: ["created_at", "asked_at", "answered_at", "referred_at", "closed_at", "follow_up_on"],
    ReferralStep: ["at"],
    CaseEvent: ["at"],
    HandoffSheet: ["updated_at", "approved_at"],
    PartnerLink: ["sent_at", "expires_at", "revoked_at", "last_used_at"],
    ProvisionRecord: ["provided_at", "keep_until"],
    FollowUp: ["created_at"],
    Consent: ["recorded_at", "withdrawn_at"],
    Case: ["closed_at"],
}


@dataclass(frozen=True)
class ReferralsSummary:
    created: bool
    referrals: int
    records: int
    links: int
    due_today: int
    overdue: int
    partner_url: str = ""


def seed_referrals(*, now=None):
    """Refer some 40 of each demo centre's cases unless the centres have referrals;
    return the counts.

    Expects the demo staff, directory and consultations. Draws from a Random seeded here,
    so the referrals are the same on every run on the same day; `now` (default: the
    current time) is the moment the demo is seeded.
    """
    centers = list(Center.objects.filter(code__in=[row["code"] for row in DEMO_CENTERS]))
    if Referral.objects.filter(center__in=centers).exists():
        return _summary(centers, created=False, now=now)
    # The timeline is written in the centre's language, as the partner's page does.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        generator = _Generator(centers, now or timezone.now())
        generator.run()
    return _summary(centers, created=True, now=now, partner_url=generator.partner_url)


def _summary(centers, *, created, now, partner_url=""):
    today = timezone.localdate(now)
    referrals = Referral.objects.filter(center__in=centers)
    return ReferralsSummary(
        created=created,
        referrals=referrals.count(),
        records=ProvisionRecord.objects.filter(center__in=centers).count(),
        links=PartnerLink.objects.filter(referral__center__in=centers).count(),
        due_today=referrals.follow_up_due_on(today).count(),
        overdue=referrals.follow_up_overdue_on(today).count(),
        partner_url=partner_url,
    )


@dataclass
class _Planned:
    """One referral of a story: what happens on which day, before anything is saved."""

    status: str
    options: dict
    moves: list = field(default_factory=list)  # (move, day) in order
    next_on: datetime.date | None = None  # the follow-up date it is left with

    @property
    def start(self):
        return self.moves[0][1]

    @property
    def end(self):
        return self.moves[-1][1]


def _back(day, count):
    """The `count`-th business day before `day`."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


class _Generator:
    def __init__(self, centers, now):
        self.rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
        self.now = now
        self.today = timezone.localdate(now)
        self.centers = sorted(centers, key=lambda center: center.code)
        users = {
            user.username: user
            for user in User.objects.filter(
                username__in=[name for names in COORDINATORS.values() for name in names]
            )
        }
        self.coordinators = {
            code: [users[name] for name in names] for code, names in COORDINATORS.items()
        }
        self.services = self._directory()
        self.partner_url = ""
        # What the verbs stamped "now", to be moved to the planned moments at the end.
        self.backdated = {model: [] for model in BACKDATED}
        self.told = []  # every referral made, with the moments of its steps
        self.timelines = {}  # case id: (the moment of each line the verbs wrote, closing)
        self.events_from = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0

    def run(self):
        for center in self.centers:
            for story, case, services in self._assign(self._cases(center)):
                self._tell(center, case, story, services)
        self._backdate()

    # ── the directory ───────────────────────────────────────────────────────────────

    def _directory(self):
        """Active services with their partner, topic codes, areas and contacts."""
        services = list(
            Service.objects.active()
            .filter(organisation__is_active=True)
            .select_related("organisation")
            .prefetch_related("topics", "areas")
            .order_by("pk")
        )
        contacts = {}
        for contact in Contact.objects.active().order_by("pk"):
            contacts.setdefault(contact.organisation_id, []).append(contact)
        for service in services:
            service.topic_codes = {topic.code for topic in service.topics.all()}
            service.area_ids = {area.pk for area in service.areas.all()}
            service.demo_contacts = [
                contact
                for contact in contacts.get(service.organisation_id, [])
                if contact.service_id in (None, service.pk)
            ]
        return services

    def _partners_for(self, case):
        """The services a case could go to: the first tier serving its topic and area,
        and every tier's services that have an e-mail address for a link."""
        topic = case.main_topic
        tiers = PARTNERS.get(topic.code) or PARTNERS.get(topic.category.code) or []
        area = case.client.municipality_id
        serving = [
            service
            for service in self.services
            if topic.code in service.topic_codes
            and (service.serves_all_areas or area is None or area in service.area_ids)
        ]
        first, linkable = [], []
        for fragments in tiers:
            matching = [
                service
                for service in serving
                if any(fragment in service.organisation.name for fragment in fragments)
            ]
            first = first or matching
            linkable += [service for service in matching if _service_address(service)]
        return first, linkable

    # ── the plan ────────────────────────────────────────────────────────────────────

    def _cases(self, center):
        """Open cases of named clients, with the day of their last contact or event; none
        that the consultations demo already sent to a partner (its note names one)."""
        referred = CaseEvent.objects.filter(
            case=OuterRef("pk"), kind=CaseEvent.Kind.STATUS, new_value=Case.Status.REFERRING
        )
        cases = (
            Case.objects.filter(center=center, client__isnull=False)
            .open()
            .exclude(Exists(referred))
            .select_related("client", "main_topic__category")
            .annotate(last_event=Max("events__at"), last_recorded=Max("consultations__created_at"))
            .order_by("pk")
        )
        for case in cases:
            moments = [case.last_contact_at, case.last_event, case.last_recorded]
            case.last_day = timezone.localdate(max(m for m in moments if m))
            case.partners = self._partners_for(case)
        return [case for case in cases if case.partners[0]]

    def _assign(self, cases):
        """Each story with a case whose last contact came before the story begins; the
        stories that begin earliest choose first (they have the fewest cases to choose
        from), the optional ones after the others."""
        stories = [(0, self._plan(story)) for story in STORIES]
        stories += [(1, self._plan(story)) for story in OPTIONAL_STORIES]
        stories.sort(key=lambda item: (item[0], item[1][0].start))
        free = list(cases)
        chosen = []
        for _priority, story in stories:
            fitting = [
                (case, services)
                for case in free
                if case.last_day < story[0].start
                for services in [self._services_for(story, case)]
                if services
            ]
            if not fitting:
                continue
            case, services = self.rng.choice(fitting)
            free.remove(case)
            chosen.append((story, case, services))
        # Told in the order the cases opened, so ids follow time roughly.
        return sorted(chosen, key=lambda item: item[0][0].start)

    def _services_for(self, story, case):
        """A service for each referral of the story (different partners), or None."""
        first, linkable = case.partners
        services, used = [], set()
        for planned in story:
            pool = linkable if planned.options.get("link") else first
            pool = [service for service in pool if service.organisation_id not in used]
            if not pool:
                return None
            service = self.rng.choice(pool)
            used.add(service.organisation_id)
            services.append(service)
        return services

    def _plan(self, story):
        """The days of each move, the last referral ending as its status says; each
        earlier referral ended the day the next began, or the day before."""
        planned = [_Planned(item["status"], item) for item in story]
        *earlier, last = planned
        self._plan_moves(last, end=self._end_day(last))
        following = last
        for item in reversed(earlier):
            self._plan_moves(item, end=_back(following.start, self.rng.randint(0, 1)))
            following = item
        return planned

    def _end_day(self, planned):
        """The day of the referral's last move, so that it is in its state today."""
        days = self.rng.randint
        status, due = planned.status, planned.options.get("due")
        if status in (S.DRAFT, S.ASKED, S.ACCEPTED):
            return _back(self.today, days(1, 3))
        if status == S.REFERRED:
            # The first follow-up is five business days after the referral.
            return _back(self.today, {"later": days(1, 3), "today": 5}.get(due, days(7, 14)))
        if status == S.FOLLOWING_UP:
            return _back(self.today, days(6, 12) if due == "overdue" else days(2, 8))
        if status in (S.COMPLETED, S.DECLINED):
            return _back(self.today, days(2, 40))
        return _back(self.today, days(1, 25))

    def _plan_moves(self, planned, *, end):
        """Lay the moves out backwards from `end`, in business days."""
        days = self.rng.randint
        status, options = planned.status, planned.options
        path = {
            S.DRAFT: ["draft"],
            S.ASKED: ["draft", "ask"],
            S.ACCEPTED: ["draft", "ask", "accept"],
            S.DECLINED: ["draft", "ask", "decline"],
            S.REFERRED: ["draft", "ask", "accept", "refer_client"],
            S.FOLLOWING_UP: ["draft", "ask", "accept", "refer_client", "follow"],
            S.COMPLETED: ["draft", "ask", "accept", "refer_client", "follow", "complete"],
        }
        after = options.get("after")  # what a cancelled referral had got to
        moves = path[after] + ["cancel"] if after else list(path[status])
        if status == S.COMPLETED and days(0, 1):
            moves.insert(-1, "follow")
        # Business days from each move to the next.
        gaps = {
            "ask": lambda: days(0, 1),
            "accept": lambda: days(1, 3),
            "decline": lambda: days(1, 3),
            "refer_client": lambda: days(0, 2),
            "follow": lambda: days(5, 8),
            "complete": lambda: 0,
            "cancel": lambda: days(1, 4),
        }
        day = end
        laid = [(moves[-1], day)]
        for move, following in zip(moves[-2::-1], moves[:0:-1], strict=True):
            day = _back(day, gaps[following]())
            laid.append((move, day))
        planned.moves = laid[::-1]
        if status == S.FOLLOWING_UP:
            due = options["due"]
            if due == "today":
                planned.next_on = self.today
            elif due == "later":
                planned.next_on = add_business_days(self.today, days(2, 8))
            else:
                # Between the last follow-up and today.
                planned.next_on = _back(self.today, days(1, 3))

    # ── telling a story ─────────────────────────────────────────────────────────────

    def _tell(self, center, case, story, services):
        coordinator = self.rng.choice(self.coordinators[center.code])
        marks = []  # the moment of each verb, as each writes one line in the case timeline
        for planned, service in zip(story, services, strict=True):
            marks += self._make_referral(case, planned, service, coordinator)
        closed_at = None
        last = story[-1]
        closing = CASE_CLOSING.get(last.options.get("outcome"))
        if closing and last.end < _back(self.today, 2):
            # The outcome is known: the coordinator closes the case the next morning.
            reason, note = closing
            case.close(reason=reason, by=coordinator, note=note)
            case.closed_at = closed_at = _aware(add_business_days(last.end, 1), 9, 30)
            self.backdated[Case].append(case)
        self.timelines[case.pk] = (marks, closed_at)

    def _make_referral(self, case, planned, service, by):
        """Make one referral by its verbs; return the moments of its timeline lines."""
        options = planned.options
        moves = [move for move, _day in planned.moves]
        times = self._moments([day for _move, day in planned.moves])
        consent = None
        if not options.get("anonymous"):
            consent = self._consent(
                case.client, service.organisation, by, times[0], own=options.get("withdrawn")
            )
        referral = start_referral(
            case=case,
            service=service,
            contact=self._contact(service, link=options.get("link")),
            need=_need(case.main_topic),
            consent=consent,
            by=by,
        )
        referral.organisation = service.organisation  # loaded already
        referral.created_at = times[0]
        sheet = referral.sheet
        sheet.client_wishes = self.rng.choice(WISHES)
        sheet.save(update_fields=["client_wishes", "updated_at"])
        sheet.updated_at = times[0]
        self.backdated[HandoffSheet].append(sheet)
        told = _Told(referral, planned)
        for move, at in zip(moves[1:], times[1:], strict=True):
            # _ask, _accept, _decline, _refer_client, _follow, _complete or _cancel.
            getattr(self, f"_{move}")(told, at, by)
        self._keep(told)
        return told.marks

    def _ask(self, told, at, by):
        referral = told.referral
        referral.sheet.approve(by=by)
        referral.sheet.approved_at = at - datetime.timedelta(minutes=self.rng.randint(5, 60))
        if told.options.get("link"):
            # send_partner_link without the e-mail: the demo sends none.
            told.links.append((*PartnerLink.issue(referral, to=_address(referral), by=by), at))
            channel = Channel.LINK
        else:
            channel = self._pick(ASK_CHANNELS)
        ask_partner(referral, by=by, channel=channel, comment=self.rng.choice(ASK_NOTES[channel]))
        referral.asked_at = at
        told.step(at)
        if not referral.is_anonymous:
            told.records.append(at)

    def _accept(self, told, at, by):
        if told.options.get("link"):
            by, notes = None, LINK_ACCEPT_NOTES
            self._partner_opens_link(told, at)
        else:
            notes = ACCEPT_NOTES
        channel = Channel.LINK if by is None else Channel.PHONE
        told.referral.accept(by=by, channel=channel, comment=self.rng.choice(notes))
        told.referral.answered_at = at
        told.step(at)

    def _decline(self, told, at, by):
        reason = told.options["reason"]
        comment = DECLINE_NOTES[reason]
        if told.options.get("link"):
            by, comment = None, LINK_DECLINE_NOTE
            self._partner_opens_link(told, at)
        channel = Channel.LINK if by is None else Channel.PHONE
        told.referral.decline(reason=reason, by=by, channel=channel, comment=comment)
        told.referral.answered_at = told.referral.closed_at = at
        told.step(at)

    def _refer_client(self, told, at, by):
        referral = told.referral
        day = timezone.localdate(at)
        appointment = add_business_days(day, self.rng.randint(2, 6))
        referral.mark_referred(
            by=by,
            appointment_at=_aware(appointment, self.rng.choice([10, 13, 15])),
            place=referral.organisation.address,
            with_whom=referral.contact.name if referral.contact else self.rng.choice(WITH_WHOM),
            comment="本人に日時と場所、持ち物を伝えた。",
        )
        referral.referred_at = at
        referral.follow_up_on = referral.default_follow_up_on(day)
        if told.options.get("due") == "today":
            referral.follow_up_on = self.today
        told.step(at)
        if told.options.get("reported"):
            # A new link, for the partner to report how it went (a new record too).
            sent = at + datetime.timedelta(minutes=self.rng.randint(10, 50))
            told.links.append((*PartnerLink.issue(referral, to=_address(referral), by=by), sent))
            ProvisionRecord.write(referral, by=by, channel=Channel.LINK)
            told.records.append(sent)

    def _follow(self, told, at, by):
        day = timezone.localdate(at)
        later = [d for move, d in told.planned.moves if move in ("follow", "complete") and d > day]
        next_on = later[0] if later else told.planned.next_on
        if told.options.get("outcome") == OC.NO_CONTACT:
            method, party, note = FollowUp.Method.PHONE, FollowUp.Party.CLIENT, NO_ANSWER_NOTE
        else:
            party = self.rng.choice(list(FOLLOW_UP_NOTES))
            method = FollowUp.Method.PHONE
            if party == FollowUp.Party.CLIENT and self.rng.random() < 0.3:
                method = FollowUp.Method.VISIT
            note = self.rng.choice(FOLLOW_UP_NOTES[party])
        self._add_follow_up(told, at, by, day, method, party, note, next_on)

    def _complete(self, told, at, by):
        referral, outcome = told.referral, told.options["outcome"]
        if told.options.get("reported"):
            # As the partner's page records a report: a follow-up by link, then the outcome.
            self._partner_opens_link(told, at)
            day = timezone.localdate(at)
            self._add_follow_up(
                told, at, None, day, FollowUp.Method.LINK, FollowUp.Party.PARTNER, LINK_REPORT_NOTE
            )
            referral.complete(outcome=outcome, channel=Channel.LINK, comment=LINK_REPORT_NOTE)
        else:
            referral.complete(outcome=outcome, by=by, comment=OUTCOME_NOTES[outcome])
        referral.closed_at = at
        told.step(at)

    def _cancel(self, told, at, by):
        referral = told.referral
        if told.options.get("withdrawn"):
            referral.consent.withdraw(by=by, note=WITHDRAWAL_NOTE)
            referral.consent.withdrawn_at = at - datetime.timedelta(minutes=20)
            self.backdated[Consent].append(referral.consent)
        referral.cancel(by=by, comment=CANCEL_NOTES[told.options["after"]])
        referral.closed_at = at
        told.step(at)

    def _add_follow_up(self, told, at, by, day, method, party, note, next_on=None):
        moves_on = told.referral.status == S.REFERRED
        entry = told.referral.add_follow_up(
            by=by, done_on=day, method=method, spoke_with=party, note=note, next_on=next_on
        )
        entry.created_at = at
        self.backdated[FollowUp].append(entry)
        told.referral.follow_up_on = next_on
        # The first follow-up is a step (紹介済 → フォロー中); later ones are entries only.
        told.step(at) if moves_on else told.marks.append(at)

    def _partner_opens_link(self, told, at):
        link = told.links[-1][0]
        link.mark_used()
        link.last_used_at = at - datetime.timedelta(minutes=self.rng.randint(1, 10))

    def _consent(self, client, organisation, by, at, *, own=False):
        """The client's consent for the partner: one in force already (unless the
        referral needs its `own`, to be withdrawn), or a new one, given orally or in
        writing, now and then for every partner of the kind."""
        consents = Consent.objects.filter(client=client).select_related("recorded_by")
        consent = None if own else consents.covering(organisation).first()
        if consent is not None:
            return consent
        written = self.rng.random() < 0.4
        every_of_kind = self.rng.random() < 0.25
        day = timezone.localdate(at)
        consent = Consent(
            client=client,
            organisation=None if every_of_kind else organisation,
            kind=organisation.kind if every_of_kind else "",
            method=Consent.Method.WRITTEN if written else Consent.Method.ORAL,
            given_on=day,
            document_ref=f"同意書 {day:%Y%m%d}-{client.pk:04d}" if written else "",
            shares_address=self.rng.random() < 0.3,
            recorded_by=by,
        )
        consent.full_clean(exclude=["client", "organisation", "recorded_by"])
        consent.save()
        consent.recorded_at = at - datetime.timedelta(minutes=self.rng.randint(5, 30))
        self.backdated[Consent].append(consent)
        return consent

    def _contact(self, service, *, link):
        """The person to ask; for a link, one with an address."""
        contacts = service.demo_contacts
        if link:
            contacts = [contact for contact in contacts if contact.email]
            return self.rng.choice(contacts) if contacts else None
        if contacts and self.rng.random() < 0.7:
            return self.rng.choice(contacts)
        return None

    def _keep(self, told):
        """Note the planned moments of what the verbs stamped with the current time."""
        referral = told.referral
        self.told.append(told)
        self.backdated[Referral].append(referral)
        for index, (link, token, sent) in enumerate(told.links):
            link.sent_at = sent
            link.expires_at = sent + datetime.timedelta(days=LINK_VALID_DAYS)
            if index + 1 < len(told.links):
                link.revoked_at = told.links[index + 1][2]
            elif referral.status == S.CANCELLED:
                link.revoked_at = referral.closed_at
            self.backdated[PartnerLink].append(link)
            if referral.status == S.ASKED and not self.partner_url:
                path = reverse("referrals:partner-answer", args=[token])
                self.partner_url = settings.SITE_URL + path

    def _backdate(self):
        """Move what the verbs stamped with the current time to the planned moments,
        one query to read and one to write each kind of row."""
        referrals = {told.referral.pk: told for told in self.told}
        steps = ReferralStep.objects.filter(referral__in=referrals).order_by("referral", "pk")
        for referral_id, rows in groupby(steps, _referral_id):
            for step, at in zip(rows, referrals[referral_id].steps, strict=True):
                step.at = at
                self.backdated[ReferralStep].append(step)
        records = ProvisionRecord.objects.filter(referral__in=referrals)
        for referral_id, rows in groupby(records.order_by("referral", "pk"), _referral_id):
            for record, at in zip(rows, referrals[referral_id].records, strict=True):
                record.provided_at = at
                record.keep_until = timezone.localdate(at) + relativedelta(
                    years=PROVISION_KEEP_YEARS
                )
                self.backdated[ProvisionRecord].append(record)
        events = CaseEvent.objects.filter(pk__gt=self.events_from).order_by("case", "pk")
        for case_id, rows in groupby(events, key=lambda event: event.case_id):
            self._backdate_timeline(list(rows), *self.timelines[case_id])
        for model, objects in self.backdated.items():
            if objects:
                model.objects.bulk_update(objects, BACKDATED[model], batch_size=500)

    def _backdate_timeline(self, events, marks, closed_at):
        """A case's new timeline lines at the moments of the verbs that wrote them: one
        line of the referral per verb, and a status change of the case just after it."""
        index = -1
        for event in events:
            if event.kind == CaseEvent.Kind.REFERRAL:
                index += 1
                event.at = marks[index]
            else:
                event.at = marks[index] + datetime.timedelta(seconds=30)
            self.backdated[CaseEvent].append(event)
        if closed_at:
            events[-1].at = closed_at

    # ── time ────────────────────────────────────────────────────────────────────────

    def _moments(self, days):
        """A moment in office hours for each day, later on the same day for a second
        move that day."""
        moments = []
        for day in days:
            if moments and timezone.localdate(moments[-1]) == day:
                moment = moments[-1] + datetime.timedelta(minutes=self.rng.randint(15, 90))
            else:
                moment = _aware(day, self.rng.randint(9, 16), self.rng.randint(0, 59))
            moments.append(min(moment, self.now - datetime.timedelta(minutes=5)))
        return moments

    def _pick(self, weights):
        return self.rng.choices(list(weights), list(weights.values()))[0]


@dataclass
class _Told:
    """A referral being told: the moments of its steps, links and records so far."""

    referral: Referral
    planned: _Planned
    steps: list = field(default_factory=list)
    marks: list = field(default_factory=list)  # one per line in the case's timeline
    links: list = field(default_factory=list)  # (link, token, sent at)
    records: list = field(default_factory=list)

    @property
    def options(self):
        return self.planned.options

    def step(self, at):
        self.steps.append(at)
        self.marks.append(at)


def _referral_id(row):
    return row.referral_id


def _aware(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _need(topic):
    return (
        NEEDS.get(topic.code)
        or FIELD_NEEDS.get(topic.category.code)
        or f"{topic.name}について、専門の窓口で相談したい"
    )


def _address(referral):
    """Where the partner's link goes, as the send-link page proposes it."""
    contact_email = referral.contact.email if referral.contact else ""
    return contact_email or referral.service.email or referral.organisation.email


def _service_address(service):
    """Whether a link could go to this service: a contact or the partner has an address."""
    emails = [contact.email for contact in service.demo_contacts if contact.email]
    return (emails and emails[0]) or service.email or service.organisation.email
