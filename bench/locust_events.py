"""Locust plugin: write every failed or server-error request, with its time, to the file
named by LIFESUPPORT_REQUEST_LOG (JSON lines), so bench/reliability.py can tell failures
inside a fault's window from those outside and check what each error page said.

    locust -f bench/locustfile.py,bench/locust_events.py ...
"""

import json
import os
import time

from locust import events

PATH = os.environ.get("LIFESUPPORT_REQUEST_LOG")
# The Japanese 503 page's heading (templates/503.html, "The system is busy for a moment").
BUSY_PAGE = "システムが一時的に混み合っています"

_log = open(PATH, "a", buffering=1) if PATH else None  # noqa: SIM115 - open for the run


@events.request.add_listener
def on_request(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if _log is None or (exception is None and status < 500):
        return
    try:
        body = response.text or ""
    except Exception:  # a body that cannot be decoded says nothing more
        body = ""
    _log.write(
        json.dumps(
            {
                "t": time.time(),
                "method": request_type,
                "name": name,
                "status": status,
                "ms": round(response_time or 0),
                "error": repr(exception)[:300] if exception else "",
                "busy_page": BUSY_PAGE in body,
                "traceback": "Traceback" in body,
                "retry_after": (getattr(response, "headers", None) or {}).get("Retry-After"),
            },
            ensure_ascii=False,
        )
        + "\n"
    )
