"""The partner directory: organisations of every kind in the region, their services
(topics and areas served) and a contact person at most of them."""

import datetime

from accounts.search import search_key
from network.models import Contact, Organisation, Service

from .base import FAMILY_NAMES, NAME_WORDS, Picker, plain

OK = Organisation.Kind
KINDS = Picker(
    {
        OK.GOVERNMENT: 14, OK.NPO: 20, OK.PROFESSIONAL: 20, OK.BUSINESS: 15, OK.MEDICAL: 8,
        OK.SOCIAL_WELFARE_COUNCIL: 3, OK.COOP: 3, OK.EDUCATION: 3, OK.RENGO: 1,
        OK.ROFUKUKYO: 0.5, OK.ROKIN: 0.5, OK.KOKUMIN_KYOSAI: 0.5, OK.OTHER: 10,
    }
)  # fmt: skip
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
FOLLOW_UP_DAYS = Picker({None: 80, 10: 15, 20: 5})  # a service's own rhythm, if any
TIES = list(Organisation.Tie.values)


def generate(g):
    """Write the directory; keep on `g` the active services by field (for referrals)
    and each partner's contact."""
    ids = {
        model: g.writer.first_id(model)
        for model in (
            Organisation,
            Service,
            Contact,
            Service.topics.through,
            Service.areas.through,
        )
    }
    rows = {model: [] for model in ids}
    # (service, organisation, partner's name, service's name, follow-up days, kind)
    g.services_by_field, g.contacts_of = {}, {}
    for _ in range(g.scale.organisations):
        organisation = _organisation(g, ids[Organisation] + len(rows[Organisation]))
        rows[Organisation].append(organisation)
        contact_id = None
        if g.chance(0.9):
            contact_id = ids[Contact] + len(rows[Contact])
            rows[Contact].append(_contact(g, contact_id, organisation))
        for _service in range(1 + int(g.rng.expovariate(1.0))):
            _service_rows(g, ids, rows, organisation, contact_id)
    g.all_services = [entry for entries in g.services_by_field.values() for entry in entries]
    # In dependency order: organisations, their services, then the rest.
    for model, model_rows in rows.items():
        g.writer.write(model, model_rows)
    return {
        "organisations": len(rows[Organisation]),
        "services": len(rows[Service]),
        "contacts": len(rows[Contact]),
    }


def _organisation(g, organisation_id):
    rng = g.rng
    kind = KINDS(rng)
    town = rng.choice(g.places)
    name = rng.choice(KIND_NAMES[kind]).format(town=town.name, word=rng.choice(NAME_WORDS))
    active = g.chance(0.95)
    verified = g.today - datetime.timedelta(days=rng.randint(0, 900))
    address = f"{town.name}{rng.choice(NAME_WORDS)}町{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    return {
        "id": organisation_id,
        "hsds_id": g.hsds_id(organisation_id),
        "name": name,
        "kind": kind,
        "address": address,
        "municipality_id": town.pk,
        "phone": f"0{rng.randint(11, 99)}{rng.randrange(10**7):07d}",
        "tie": rng.choice(TIES),
        "is_active": active,
        "verified_on": verified if g.chance(0.8) else None,
        "search_text": search_key(f"{name} {address}"),
    }


def _contact(g, contact_id, organisation):
    family, kana = g.rng.choice(FAMILY_NAMES)
    kind = organisation["kind"]
    qualification = g.rng.choice(QUALIFICATIONS.get(kind, [Contact.Qualification.STAFF]))
    return {
        "id": contact_id,
        "hsds_id": g.hsds_id(contact_id),
        "organisation_id": organisation["id"],
        "name": family,
        "name_kana": kana,
        "qualification": plain(qualification),
    }


def _service_rows(g, ids, rows, organisation, contact_id):
    """A service with its topics and areas; an active one is offered to referrals."""
    rng = g.rng
    service_id = ids[Service] + len(rows[Service])
    fields = KIND_FIELDS[organisation["kind"]]
    main_field = rng.choice(fields)
    service_name = rng.choice(SERVICE_NAMES[main_field])
    status = Service.Status.ACTIVE if g.chance(0.9) else Service.Status.INACTIVE
    follow_days = FOLLOW_UP_DAYS(rng)
    everywhere = g.chance(0.3)
    rows[Service].append(
        {
            "id": service_id,
            "hsds_id": g.hsds_id(service_id),
            "organisation_id": organisation["id"],
            "name": service_name,
            "status": plain(status),
            "serves_all_areas": everywhere,
            "follow_up_days": follow_days,
            "search_text": search_key(service_name),
        }
    )
    # Sorted: a set's order changes from one process to the next.
    served = sorted({main_field, *rng.sample(fields, k=min(len(fields), rng.randint(0, 1)))})
    topics = set()
    for field_code in served:
        for _topic in range(rng.randint(1, 3)):
            topics.add(g.field_pickers[field_code](rng))
    links = rows[Service.topics.through]
    for code in sorted(topics):
        links.append(
            {
                "id": ids[Service.topics.through] + len(links),
                "service_id": service_id,
                "topic_id": g.topics[code].pk,
            }
        )
    if not everywhere:
        areas = rows[Service.areas.through]
        for town_id in sorted({rng.choice(g.places).pk for _ in range(rng.randint(1, 4))}):
            areas.append(
                {
                    "id": ids[Service.areas.through] + len(areas),
                    "service_id": service_id,
                    "municipality_id": town_id,
                }
            )
    if organisation["is_active"] and status == Service.Status.ACTIVE:
        entry = (
            service_id,
            organisation["id"],
            organisation["name"],
            service_name,
            follow_days,
            organisation["kind"],
        )
        for field_code in served:
            g.services_by_field.setdefault(field_code, []).append(entry)
        g.contacts_of[organisation["id"]] = contact_id
