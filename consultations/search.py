"""The case search's index for two-character words on PostgreSQL: every pair of
adjacent characters (bigram) of a case's search key, in a tsvector column with a GIN
index.

Japanese has no spaces between words, and the words staff look for are often two
characters long (解雇, 残業, 退職): the trigram index cannot serve those, and a
morphological analyser would miss words across its token edges. A word of two characters
is one bigram, so the index answers it exactly, and PostgreSQL's element statistics of
the column tell the planner how common it is. Longer words stay with LIKE and the trigram
index, whose estimates are better than those of an AND of bigrams (bench/README.md, "Text
search", has the measurements).

The lexemes are written and queried as they are, without a text search parser (which
would split or drop punctuation), and only on PostgreSQL; other databases store NULL and
search the key with LIKE (small centres, no index).
"""

from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Coalesce

POSTGRESQL = "postgresql"


def bigrams(search_text: str) -> set[str]:
    """The distinct character pairs of each space-separated part of a search key (the
    parts are title, names and summaries; a search word never spans two of them)."""
    return {part[i : i + 2] for part in search_text.split() for i in range(len(part) - 1)}


def _quoted(lexeme):
    # The tsvector and tsquery input syntax: quotes doubled, backslashes escaped.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def bigram_vector(search_text: str) -> str:
    """The bigrams of a search key as tsvector input ('ab' 'bc' ...)."""
    return " ".join(_quoted(pair) for pair in sorted(bigrams(search_text)))


def bigram_query(term: str) -> str:
    """A tsquery (input syntax) that needs every bigram of a search word of two or more
    characters (one bigram for the two-character words matching_text looks up); it is
    sent as a parameter, never written into the SQL."""
    return " & ".join(_quoted(pair) for pair in sorted(bigrams(term)))


class BigramField(models.Field):
    """The bigrams of the model's `source` field, recomputed on every save() and
    bulk_create() as auto_now fields are (a save with update_fields must list it; an
    update() sets it itself). Stored on PostgreSQL only."""

    def __init__(self, *args, source="search_text", **kwargs):
        self.source = source
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for name_, default in (("null", True), ("editable", False)):
            if kwargs.get(name_) == default:
                del kwargs[name_]
        return name, path, args, kwargs

    def db_type(self, connection):
        return "tsvector" if connection.vendor == POSTGRESQL else "text"

    def pre_save(self, model_instance, add):
        value = bigram_vector(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        return value if connection.vendor == POSTGRESQL else None


@BigramField.register_lookup
class HasBigrams(models.Lookup):
    """`search_bigrams__has_bigrams=word`: the row has every bigram of the word
    (PostgreSQL only; the GIN index serves it)."""

    lookup_name = "has_bigrams"

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [bigram_query(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ {rhs}::tsquery", [*lhs_params, *rhs_params]


class BigramUnion(Func):
    """An update() value: the stored bigrams with those of `text` added (a tsvector
    union keeps each once). Appending needs no read of the row first, so two
    consultations saved at once on the same case both get in. NULL off PostgreSQL."""

    arg_joiner = " || "
    template = "(%(expressions)s)"

    def __init__(self, column, text):
        vector = Value(bigram_vector(text), output_field=BigramField())
        empty = Value("", output_field=BigramField())
        super().__init__(Coalesce(column, empty), vector, output_field=BigramField())

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != POSTGRESQL:
            return "NULL", []
        return super().as_sql(compiler, connection, **extra_context)
