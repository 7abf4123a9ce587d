"""Row 38: logs resist injection. Outside DEBUG each record is one JSON object on one
line, whatever line breaks or fake log lines a value carries."""

import io
import json
import logging
import logging.config

from django.conf import settings

from tests.test_settings import PRODUCTION, run_python

FORGED = "a\nINFO forged\r\nWARNING django.security also forged\u2028end"


def configured_formatter():
    """The console handler's formatter, built from settings.LOGGING as Django builds it."""
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    formatter_name = settings.LOGGING["handlers"]["console"]["formatter"]
    return configurator.configure_formatter(settings.LOGGING["formatters"][formatter_name])


def test_row_38_a_forged_username_stays_inside_one_json_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured_formatter())
    logger = logging.getLogger("lifesupport.test_row_38")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Failed login for %s", FORGED)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert len(output.splitlines()) == 1
    record = json.loads(output)
    assert record["message"] == f"Failed login for {FORGED}"
    assert record["level"] == "WARNING"
    assert record["logger"] == "lifesupport.test_row_38"
    # In UTC, as the audit trail.
    assert record["timestamp"].endswith("+00:00")


def test_row_38_production_settings_log_json_and_debug_logs_text():
    show = (
        "from django.conf import settings as s;print(s.LOGGING['handlers']['console']['formatter'])"
    )
    assert run_python(show, **PRODUCTION).stdout.strip() == "json"
    assert run_python(show, **{**PRODUCTION, "DJANGO_DEBUG": "true"}).stdout.strip() == "text"
