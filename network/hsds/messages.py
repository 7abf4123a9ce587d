"""Where in the file a problem is, and what it is, in words staff can act on.

Locations read like `contents[3].services[1].schedules[0].byday`. jsonschema's own
messages are English prose, so schema errors are told again here by the kind of rule
broken, each a translatable message naming the field.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    location: str
    message: str

    def __str__(self):
        return f"{self.location or '-'}: {self.message}"


def join(location, *parts) -> str:
    """join("contents[3]", "services", 1, "byday") -> "contents[3].services[1].byday"."""
    for part in parts:
        if isinstance(part, int):
            location = f"{location}[{part}]"
        else:
            location = f"{location}.{part}" if location else str(part)
    return location


def _field_name(path, default):
    """The last key in `path`, with the index of an item after it: phones[0]."""
    name = ""
    for part in path:
        name = f"{name}[{part}]" if isinstance(part, int) else str(part)
    return name or default


def _type_name(expected):
    if isinstance(expected, list):
        expected = next((name for name in expected if name != "null"), "null")
    return {
        "string": _("text"),
        "number": _("a number"),
        "integer": _("a whole number"),
        "boolean": _("true or false"),
        "array": _("a list"),
        "object": _("an object"),
        "null": _("empty (null)"),
    }.get(expected, expected)


def _format_message(name, fmt):
    messages = {
        "uuid": _("“%(field)s” must be a UUID, e.g. 3f2b8c1e-9d4a-4c6b-8e1f-2a7d5b9c0e13."),
        "email": _("“%(field)s” must be an e-mail address."),
        "uri": _("“%(field)s” must be a full web address (URI), e.g. https://example.jp/."),
        "date": _("“%(field)s” must be a date as YYYY-MM-DD."),
        "date-time": _("“%(field)s” must be a date and time, e.g. 2025-04-01T09:00:00+09:00."),
    }
    message = messages.get(fmt, _("“%(field)s” is not in the %(format)s format."))
    return message % {"field": name, "format": fmt}


def list_expected(field):
    return _("“%(field)s” must be %(type)s.") % {"field": field, "type": _type_name("array")}


def schema_problems(error, location, default_name):
    """Problems for one jsonschema ValidationError on the object at `location`."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return [
            Problem(join(location, *path, key), _("“%(field)s” is required.") % {"field": key})
            for key in missing
        ]
    name = _field_name(path, default_name)
    if error.validator == "type":
        message = _("“%(field)s” must be %(type)s.") % {
            "field": name,
            "type": _type_name(error.validator_value),
        }
    elif error.validator == "format":
        message = _format_message(name, error.validator_value)
    elif error.validator == "enum":
        message = _("“%(field)s” must be one of: %(choices)s.") % {
            "field": name,
            "choices": ", ".join(str(choice) for choice in error.validator_value),
        }
    elif error.validator == "pattern":
        message = _("“%(field)s” does not have the expected form (%(pattern)s).") % {
            "field": name,
            "pattern": error.validator_value,
        }
    else:
        message = _("“%(field)s” breaks the schema rule “%(rule)s”.") % {
            "field": name,
            "rule": error.validator,
        }
    return [Problem(join(location, *path), message)]
