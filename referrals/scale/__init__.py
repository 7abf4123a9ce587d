"""A region's years of work, generated at scale, to measure the pages against.

`manage.py generate_scale_data --consultations 1000000` fills every app's tables as ten
centres of one prefecture would have filled them over ten years: for each million
consultations, 200,000 clients, 300,000 cases, 100,000 referrals with their steps and
follow-ups, 10,000 partner organisations with their services, and 100,000 members with
their fees and payments (the other counts scale with --consultations; the centres stay
ten, a region's number).

The distributions are the demo's (consultations.demo: topics weighted like 連合's
published shares, パワハラ first; channels, genders, ages, employment, industries with
不明 in their shares), spread over the years with growth and with the bumps of April and
of the weeks after New Year. Everything is invented; never use it for real work.

Rows are planned in Python from one random.Random(seed) in a fixed order, so a seed
gives the same data on the same day. They are written with explicit ids in dependency
order, the derived columns as the models' save() and the services would leave them
(search keys, the topic links' case, case numbers per centre and year and their
sequence, member numbers and their counter, fees' paid sums): by COPY on PostgreSQL
(psycopg 3), by bulk_create elsewhere. Per-row save() logic and audit entries are not
run. One module per part: partners, members, consultations (clients, cases and their
contacts) and referrals; `base` holds the sizes, the weighted choice and the writer.
"""

from .base import MINIMUM, Scale
from .generator import Generator

__all__ = ["MINIMUM", "Generator", "Scale"]
