import os
import secrets
import subprocess
import sys
import warnings

import pytest
from django.conf import settings
from django.urls import reverse

from lifesupport import settings as project_settings

BASE_DIR = settings.BASE_DIR
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "lifesupport.example.jp",
    "DATABASE_URL": "postgres://lifesupport:secret@db.example.jp:5432/lifesupport",
}


def run_python(code, **environ):
    """Run Python with the project's settings under the given environment variables
    (which win over any developer's .env), without the browser tests' async escape hatch."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "lifesupport.settings", **environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def manage(*args, **environ):
    argv = ["manage.py", *args]
    return run_python(
        f"from django.core.management import execute_from_command_line; "
        f"execute_from_command_line({argv!r})",
        **environ,
    )


def test_row_28_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_secret_key_is_required_when_debug_is_off():
    # An empty variable also wins over a developer's .env, which is never overridden.
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_postgresql_urls_use_psycopg_with_health_checked_connections():
    result = run_python(
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        **PRODUCTION,
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "lifesupport",
        "db.example.jp",
        "60",
        "True",
    ], result.stderr


def test_the_default_database_is_sqlite_under_var():
    result = run_python(
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])",
        DJANGO_DEBUG="true",
        DATABASE_URL="",
    )
    assert result.stdout.strip() == str(BASE_DIR / "var" / "db.sqlite3"), result.stderr


def test_debug_turns_the_https_only_settings_off():
    result = run_python(
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_NAME)",
        DJANGO_DEBUG="true",
    )
    assert result.stdout.split() == ["False", "False", "False", "0", "sessionid"], result.stderr


def test_outside_debug_cookies_are_secure_host_only_cookies():
    assert settings.DEBUG is False
    assert project_settings.SESSION_COOKIE_SECURE is True
    assert project_settings.CSRF_COOKIE_SECURE is True
    assert project_settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert project_settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert project_settings.SECURE_SSL_REDIRECT is True
    assert project_settings.SECURE_HSTS_SECONDS >= 31536000


def test_japanese_first():
    assert settings.LANGUAGE_CODE == "ja"
    assert [code for code, _name in settings.LANGUAGES] == ["ja", "en"]
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_argon2_hashes_new_passwords():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_every_view_needs_a_login_by_default():
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


def test_whitenoise_serves_static_files_right_after_the_security_middleware():
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


@pytest.mark.django_db
def test_security_headers_on_a_page_over_https(client):
    response = client.get(reverse("login"), secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_session_ends_after_thirty_idle_minutes_and_ten_hours_after_login():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ABSOLUTE_AGE == 10 * 60 * 60
    assert settings.MIDDLEWARE.index(
        "accounts.middleware.SessionLifetimeMiddleware"
    ) < settings.MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware")


def test_django_deprecation_warnings_fail_the_tests():
    from django.utils.deprecation import RemovedInNextVersionWarning

    with pytest.raises(RemovedInNextVersionWarning):
        warnings.warn("going away", RemovedInNextVersionWarning, stacklevel=1)


@pytest.mark.django_db
def test_english_is_available_to_a_browser_that_asks_for_it(client):
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    assert '<html lang="en">' in response.text
    assert "Log in to Lifesupport" in response.text
