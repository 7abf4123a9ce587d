import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from consultations.tests.factories import CaseFactory
from network.tests.factories import ServiceFactory
from referrals.models import Channel, FollowUp, HandoffSheet, Referral


class ReferralFactory(DjangoModelFactory):
    """A draft anonymous referral with its sheet; pass `consent=` for a named one."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    center = factory.SelfAttribute("case.center")
    service = factory.SubFactory(ServiceFactory)
    organisation = factory.SelfAttribute("service.organisation")
    need = "残業代の請求について相談したい"
    is_anonymous = factory.LazyAttribute(lambda o: o.consent is None)
    consent = None
    coordinator = factory.SelfAttribute("case.created_by")
    created_by = factory.SelfAttribute("coordinator")

    @factory.post_generation
    def sheet(self, create, extracted):
        if create:
            HandoffSheet.draft_for(self, by=self.created_by)


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = FollowUp

    referral = factory.SubFactory(ReferralFactory)
    method = FollowUp.Method.PHONE
    spoke_with = FollowUp.Party.CLIENT
    by = factory.SelfAttribute("referral.coordinator")
    note = "面談の予約が取れたとのこと。"


def referral_in(status, referral=None, *, by=None, **kwargs):
    """`referral` (or a new one from ReferralFactory(**kwargs)) moved by its own verbs to
    `status`, as the pages would: asked by phone, accepted, referred, followed up …"""
    referral = referral or ReferralFactory(**kwargs)
    by = by or referral.coordinator
    path = {
        Referral.Status.DRAFT: [],
        Referral.Status.ASKED: ["ask"],
        Referral.Status.ACCEPTED: ["ask", "accept"],
        Referral.Status.DECLINED: ["ask", "decline"],
        Referral.Status.REFERRED: ["ask", "accept", "refer"],
        Referral.Status.FOLLOWING_UP: ["ask", "accept", "refer", "follow_up"],
        Referral.Status.COMPLETED: ["ask", "accept", "refer", "complete"],
        Referral.Status.CANCELLED: ["cancel"],
    }[status]
    for step in path:
        if step == "ask":
            referral.ask(by=by, channel=Channel.PHONE)
        elif step == "accept":
            referral.accept(by=by, channel=Channel.PHONE)
        elif step == "decline":
            referral.decline(
                reason=Referral.DeclineReason.NO_CAPACITY, by=by, channel=Channel.PHONE
            )
        elif step == "refer":
            referral.mark_referred(
                by=by,
                appointment_at=timezone.now() + datetime.timedelta(days=3),
                place="本町1-1-1 2階",
                with_whom="相談員",
            )
        elif step == "follow_up":
            referral.add_follow_up(
                by=by,
                done_on=timezone.localdate(),
                method=FollowUp.Method.PHONE,
                spoke_with=FollowUp.Party.CLIENT,
                note="初回面談を終えたとのこと。",
                next_on=timezone.localdate() + datetime.timedelta(days=7),
            )
        elif step == "complete":
            referral.complete(outcome=Referral.Outcome.RESOLVED, by=by)
        elif step == "cancel":
            referral.cancel(by=by, comment="本人が取り下げ")
    return referral
