"""Settings come from the environment; production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "x9Qp7Lm2Vr8Tz4Wn6Bc1Hd5Jf0Gs3Ka7Yu2Ei8Ro4Pl6Mz1Nq5" * 2,
    "ALLOWED_HOSTS": "fulian.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://fulian.example.gov.cn",
}


def manage(*args, env):
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_language_time_zone_and_security_defaults():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SESSION_COOKIE_AGE == 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    validators = {v["NAME"].rsplit(".", 1)[-1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] == 12


def test_no_page_loads_anything_from_the_internet(client_for, superuser, town):
    client = client_for(superuser)
    for url in ["/admin/", "/admin/federation/person/", "/admin/federation/activity/add/"]:
        page = client.get(url).content.decode()
        assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page, url
