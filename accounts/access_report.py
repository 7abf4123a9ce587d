"""Incident scoping (APPI art. 26, the report to the PPC within 3-5 days): whose data one
member of staff touched in a period, read from the audit trail alone.

Events name their subjects when written (accounts.audit.audit_subjects), so the report
needs no other app and still lists cases deleted since; "restricted" is the case's
restriction (要配慮) at the moment it was opened.
"""

from dataclasses import dataclass, field

from .models import AuditEvent

# Events that are no access to anyone's data.
NOT_ACCESS = [
    AuditEvent.Action.LOGIN,
    AuditEvent.Action.LOGIN_FAILED,
    AuditEvent.Action.LOGOUT,
    AuditEvent.Action.DENIED,
]


@dataclass
class AccessReport:
    user: object
    start: object
    end: object
    events: int = 0
    cases: list = field(default_factory=list)
    clients: list = field(default_factory=list)
    members: list = field(default_factory=list)
    restricted: list = field(default_factory=list)
    denied: int = 0

    @classmethod
    def build(cls, events, *, user, start, end):
        """The report on `user` from `start` (included) to `end` (excluded), out of
        `events` (the audit trail the reader may see)."""
        window = events.filter(user=user, at__gte=start, at__lt=end)
        report = cls(user=user, start=start, end=end)
        subjects = {"cases": set(), "clients": set(), "members": set(), "restricted": set()}
        details = window.exclude(action__in=NOT_ACCESS).values_list("detail", flat=True)
        for detail in details.iterator(chunk_size=2000):
            report.events += 1
            for kind, values in detail.get("subjects", {}).items():
                subjects.setdefault(kind, set()).update(values)
        report.cases = sorted(subjects["cases"])
        report.clients = sorted(subjects["clients"])
        report.members = sorted(subjects["members"])
        report.restricted = sorted(subjects["restricted"])
        report.denied = window.filter(action=AuditEvent.Action.DENIED).count()
        return report

    def rows(self):
        """(kind, id, restricted) per subject: the CSV's lines."""
        restricted = set(self.restricted)
        yield from (("case", number, number in restricted) for number in self.cases)
        yield from (("client", pk, False) for pk in self.clients)
        yield from (("member", number, False) for number in self.members)

    def as_dict(self):
        return {
            "user": self.user.get_username(),
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "events": self.events,
            "cases": self.cases,
            "clients": self.clients,
            "members": self.members,
            "restricted_cases": len(self.restricted),
            "restricted": self.restricted,
            "denied": self.denied,
        }
