"""Intake: the one action that writes a client, a case and a consultation together."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import AuditEvent
from accounts.search import search_key

from .models import Case, CaseNumberSequence, Consultation, ConsultationTopic
from .search import BigramUnion

# full_clean() reads every record a foreign key points to, to check that it exists. The
# ones set here were read in this request (the user, their centre, the client, the case,
# the topics) and are left out, and so is the taker, whom the intake form found among
# the centre's active staff; a case number is unique by its centre's sequence, and the
# database's constraints stay.
SET_HERE = {
    "client": ["center", "created_by"],
    "case": ["center", "client", "assigned_to", "main_topic", "created_by"],
    "consultation": ["center", "case", "client", "taken_by"],
}


@transaction.atomic
def consultation_record(
    *,
    consultation: Consultation,
    topics,
    by,
    client=None,
    new_client=None,
    case=None,
    case_title="",
    restricted=False,
    request=None,
) -> Consultation:
    """Save an intake: `consultation` (unsaved) with `topics` (main concern first).

    The consultation is about `client` (an existing one), a `new_client` (unsaved, saved
    here), or nobody (anonymous). It joins the open `case`, or opens a new case titled
    `case_title` (default: the main topic). The client's statistical attributes are
    updated from the consultation's, which are what staff just heard. Every write is
    audited; the query count does not depend on the data size.
    """
    if not topics:
        raise ValidationError(_("Choose the main concern."))
    created = []
    if new_client is not None:
        new_client.center_id = by.center_id
        new_client.created_by = by
        _copy_profile(consultation, new_client)
        new_client.full_clean(exclude=SET_HERE["client"])
        new_client.save()
        created.append(new_client)
        client = new_client
    elif client is not None and client.profile() != consultation.profile():
        _copy_profile(consultation, client)
        client.save_edit(expected_version=client.version, fields=client.PROFILE_FIELDS)

    received_on = timezone.localtime(consultation.received_at).date()
    if case is None:
        case = _case_open(
            by=by,
            client=client,
            title=case_title or topics[0].name,
            main_topic=topics[0],
            restricted=restricted,
            opened_at=consultation.received_at,
        )
        created.append(case)
    elif not case.is_open or case.client_id != (client.pk if client else None):
        raise ValidationError(_("Add the consultation to an open case of the same client."))
    elif case.status == Case.Status.RECEIVED:
        # A second contact means the centre is working on it.
        case.change_status(Case.Status.IN_PROGRESS, by=by)

    consultation.center_id = by.center_id
    consultation.case = case
    consultation.client = client
    if client is not None and client.age_on(received_on) is not None:
        # The client's record knows best; otherwise keep the age staff typed, if any.
        consultation.age = client.age_on(received_on)
    consultation.full_clean(exclude=SET_HERE["consultation"])
    consultation.save()
    ConsultationTopic.objects.bulk_create(
        ConsultationTopic.marked_on(consultation, topic, is_main=position == 0)
        for position, topic in enumerate(topics)
    )
    Case.objects.filter(pk=case.pk).update(
        last_contact_at=Greatest("last_contact_at", Value(consultation.received_at)),
        search_text=Concat("search_text", Value(" " + search_key(consultation.summary))),
        search_bigrams=BigramUnion("search_bigrams", search_key(consultation.summary)),
    )
    # Audited last: the audit chain's lock is then the last one this transaction takes
    # (the case number sequence's row lock comes before it in every intake).
    for record in [*created, consultation]:
        log_action(action=AuditEvent.Action.CREATE, user=by, request=request, obj=record)
    return consultation


def _case_open(*, by, client, title, main_topic, restricted, opened_at):
    case = Case(
        center_id=by.center_id,
        client=client,
        title=title[:100],
        main_topic=main_topic,
        restricted=restricted,
        # Whoever opens a case owns it until a coordinator assigns it.
        assigned_to=by,
        created_by=by,
        opened_at=opened_at,
        last_contact_at=opened_at,
    )
    case.number = CaseNumberSequence.next_number(by.center_id, timezone.localtime(opened_at).year)
    case.refresh_search_text()
    # Its one check constraint (a closed case has a reason) holds for a new case; checking
    # it took a savepoint and a query, and the database keeps it anyway.
    case.full_clean(exclude=SET_HERE["case"], validate_constraints=False)
    case.save()
    return case


def _copy_profile(source, target):
    for name in source.PROFILE_FIELDS:
        field = f"{name}_id" if name == "municipality" else name
        setattr(target, field, getattr(source, field))
