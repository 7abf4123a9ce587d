"""gunicorn settings for production: `gunicorn lifesupport.wsgi` reads this file.

Each value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: two per core plus one (the documented rule); each holds one database
# connection, so PostgreSQL's max_connections must exceed the total.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
# A worker busy longer than this is killed and replaced; requests end sooner, since the
# database cancels a query after DATABASE_STATEMENT_TIMEOUT_MS (set below for the app).
timeout = 30
graceful_timeout = 30
# Recycle workers now and then, staggered, so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The access log holds paths and statuses, never a query string (which is never personal
# data here either: searches are posted).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# Web requests get query limits; commands (migrate, imports) run without them.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "20000")
os.environ.setdefault("DATABASE_LOCK_TIMEOUT_MS", "5000")
