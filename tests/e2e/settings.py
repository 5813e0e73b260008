"""The project's settings for the browser tests' server (tests/e2e/conftest.py).

The server runs in a process of its own, as production does: DEBUG off, so the error pages are
the product's own. Only what plain HTTP on 127.0.0.1 needs differs: no HTTPS redirect or secure
cookies, and the static files served by the server (``runserver --insecure``) rather than from
collectstatic's manifest. The conftest gives SECRET_KEY, DATABASE_URL, MEDIA_ROOT and
IMPORT_TMP_DIR in the environment, all of them the test run's own.
"""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE, STORAGES

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
MIDDLEWARE = [name for name in MIDDLEWARE if not name.startswith("whitenoise.")]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
