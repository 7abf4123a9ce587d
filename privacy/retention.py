"""How long each kind of record is kept (保存期間), and from when.

個人情報保護法 22条 asks that personal data no longer needed be deleted without delay.
Neither the handbook nor the domain notes set periods, so the numbers below are defaults
with the reason for each; a centre sets its own in its 個人情報取扱規程 and puts them in
the settings as RETENTION_PERIODS, e.g. {"case": {"years": 7}} (keys: relativedelta's).

Kept apart from this job:
- Records of provision (第三者提供の記録): each carries its own `keep_until`, three years
  from creation (法29条2項, 規則21条), and outlives its case and client; the job deletes
  it the day after.
- Clients: deleted as soon as no case and no consultation of theirs is left (their
  consents go with them); there is no period of their own.
- The audit trail (AuditEvent) and these deletion records: never deleted by the
  application. They hold ids, not content; the centre archives them with its backups.
- The member register (members app): members are not clients. A member's record is the
  membership and its fees (accounting records, commonly kept 7 years), kept while the
  organisation needs it; the job only counts members who left more than
  FORMER_MEMBER_YEARS ago, for a manager to delete in the back office.
- Backups keep what was purged until they age out (35 days in the README's cron).
"""

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings

from .models import DeletionRecord

Kind = DeletionRecord.Kind

# Members who left this long ago are counted for review (see the module's docstring).
FORMER_MEMBER_YEARS = 7


@dataclass(frozen=True)
class Rule:
    kind: str
    keep: dict  # relativedelta's keywords, counted back from the job's run


RULES = [
    # From the day the case was closed. A default: a returning client's history is still
    # at hand for the five years in which wage claims prescribe (労働基準法115条); the
    # statistics keep counting the anonymised case.
    Rule(Kind.CASE, {"years": 5}),
    # From the day written. Notes are for the next shift and show for 14 days.
    Rule(Kind.HANDOVER_NOTE, {"days": 90}),
    # From the day the link expired or was replaced: needed only to answer a partner's
    # question about it.
    Rule(Kind.PARTNER_LINK, {"days": 90}),
    # From the day sent: the mark only stops a second reminder on the same day.
    Rule(Kind.FOLLOW_UP_REMINDER, {"days": 90}),
    # From the save: a receipt only stops a form sent twice from saving twice.
    Rule(Kind.SAVE_RECEIPT, {"days": 30}),
]


def period(rule):
    """How long records of the rule's kind are kept: the settings' period, else the
    default."""
    overrides = getattr(settings, "RETENTION_PERIODS", {})
    return relativedelta(**overrides.get(rule.kind, rule.keep))


def describe(rule):
    """The rule as a DeletionRecord keeps it, e.g. "years=5 after closing"."""
    keep = getattr(settings, "RETENTION_PERIODS", {}).get(rule.kind, rule.keep)
    return f"{rule.kind}: " + ", ".join(f"{unit}={n}" for unit, n in keep.items())
