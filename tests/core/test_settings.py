"""Settings come from the environment; production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


def test_production_without_a_secret_key_makes_its_own_and_keeps_it(tmp_path):
    key_file = tmp_path / "secret_key"
    env = {**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(key_file)}
    show = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = manage("shell", "-c", show, env=env)
    assert first.returncode == 0, first.stderr
    key = first.stdout.split()[-1]
    assert len(key) >= 50 and "dev-only" not in key
    assert key_file.read_text() == key and key_file.stat().st_mode & 0o077 == 0
    assert manage("shell", "-c", show, env=env).stdout.split()[-1] == key


def test_debug_is_off_unless_asked_for():
    show = "from django.conf import settings; print(settings.DEBUG)"
    assert manage("shell", "-c", show, env={"SECRET_KEY": PRODUCTION["SECRET_KEY"]}).stdout.split()[-1] == "False"
    assert manage("shell", "-c", show, env={"DEBUG": "1"}).stdout.split()[-1] == "True"
    assert "DEBUG = 1" in (ROOT / "Makefile").read_text()  # make run turns it on


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


@pytest.mark.parametrize("module", ["config.wsgi", "federation.wsgi"])
def test_the_wsgi_application_serves_by_its_new_and_its_old_path(module):
    """A town's systemd line `gunicorn federation.wsgi` keeps serving for one release (a shim)."""
    script = (
        "from wsgiref.util import setup_testing_defaults\n"
        f"from {module} import application\n"
        "environ = {}\n"
        "setup_testing_defaults(environ)\n"
        "environ.update(PATH_INFO='/admin/', HTTP_HOST='fulian.example.gov.cn')\n"
        "environ['wsgi.url_scheme'] = 'https'\n"
        "answers = []\n"
        "b''.join(application(environ, lambda status, headers: answers.append((status, dict(headers)))))\n"
        "print(answers[0][0], answers[0][1]['Location'])\n"
    )
    clean = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **PRODUCTION, "BEHIND_HTTPS_PROXY": "1"},
        capture_output=True,
        text=True,
    )
    # The workbench answers: the admin sends a visitor who is not logged in to its login page.
    assert result.stdout.split() == ["302", "Found", "/admin/login/?next=/admin/"], result.stderr[-2000:]
