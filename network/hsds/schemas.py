"""The official HSDS 3.0 schemas with our profile (`profile/*.json`) merged in.

The files refer to each other by file name (`"$ref": "address.json"`), so they are
loaded into one `referencing.Registry` keyed by file name. They declare no `$schema`;
HSDS 3.0's API documents use JSON Schema 2020-12, which is the default here.
"""

import json
import re
import urllib.parse
from datetime import datetime
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "schema"
PROFILE_DIR = Path(__file__).parent / "profile"


def merge_patch(target, patch):
    """Apply a JSON Merge Patch (RFC 7396) to `target`; neither argument is changed."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _read(path):
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def profiled_schemas() -> dict[str, dict]:
    """Every object schema by file name, with our profile's patch applied where we have one."""
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name == "openapi.json":  # the API description, not an object schema
            continue
        patch = PROFILE_DIR / path.name
        schemas[path.name] = (
            merge_patch(_read(path), _read(patch)) if patch.exists() else _read(path)
        )
    return schemas


@cache
def registry() -> Registry:
    resources = [
        (name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in profiled_schemas().items()
    ]
    return Registry().with_resources(resources).crawl()


_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def format_checker() -> FormatChecker:
    """jsonschema's checkers, plus `uri` and `date-time`, whose own need extra packages."""
    checker = FormatChecker()

    @checker.checks("uri", raises=ValueError)
    def is_uri(instance):
        if not isinstance(instance, str):
            return True
        urllib.parse.urlsplit(instance)  # raises ValueError on a broken IPv6 host
        return bool(_URI_SCHEME.match(instance))

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(instance):
        if not isinstance(instance, str):
            return True
        return "T" in instance.upper() and bool(datetime.fromisoformat(instance))

    return checker


@cache
def validator(name: str):
    """A validator for one object schema, e.g. validator("organization.json")."""
    schema = profiled_schemas()[name]
    cls = validator_for(schema, default=Draft202012Validator)
    return cls(schema, registry=registry(), format_checker=format_checker())
