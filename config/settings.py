"""Settings for 妇联工作台, read from the environment.

DEBUG is off unless DEBUG=1 is set (`make run` sets it). Production sets SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL (see README).
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The test suite runs as production does (DEBUG off), over plain HTTP, with a key of its own
# and without collected static files.
TESTING = "pytest" in sys.modules


def local_secret_key(path: Path) -> str:
    """A random key made once for this installation and kept in a private file, so that a
    server started without SECRET_KEY never runs with a key anyone else knows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) < 50:
            raise ImproperlyConfigured(f"{path} does not hold a secret key; delete it or set SECRET_KEY.") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "dev-only-insecure-key-not-for-production-use-0123456789abcdef"  # noqa: S105
    else:
        SECRET_KEY = local_secret_key(Path(os.environ.get("SECRET_KEY_FILE", BASE_DIR / "var" / "secret_key")))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "federation.apps.FederationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "federation",
    "points",
    "health",
    "aid",
    "crafts",
    "organization",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "federation.core.middleware.RefuseControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session's second factor
    "federation.core.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

if not (DEBUG or TESTING):
    # Production serves the collected static files itself (gunicorn has no static server).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a plan for a query over many rows: for the admin's short
    # queries the compiling took longer than the query (120 ms of a 500 ms home-page figure).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Dates render in forms as 2026-12-07, which `<input type="date">` reads (see the module).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded files are never web-served directly: federation.core.files serves them after a
# permission and village check.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
PROTECTED_FILES_URL = "/files/"
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
FILE_UPLOAD_PERMISSIONS = 0o640

# Sessions end after an idle hour and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 60 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not (DEBUG or TESTING):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", timedelta(days=365).total_seconds()))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Town intranet hosts cannot be on the browsers' public preload list.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env_bool("BEHIND_HTTPS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked for the cool-off period, the right password
# included; after LOGIN_ADDRESS_FAILURE_LIMIT from one address across user names (password
# spraying), the address is; a superuser unlocks it on the user's page (解除登录锁定).
AXES_HANDLER = "federation.core.middleware.LoginThrottle"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
LOGIN_ADDRESS_FAILURE_LIMIT = max(int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", 20)), AXES_FAILURE_LIMIT)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCK_MINUTES", 15)))
# The pair first, then the address: LoginThrottle reads them in this order.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "federation.core.views.locked_out"
AXES_USERNAME_CALLABLE = "federation.core.middleware.login_username"
AXES_ENABLE_ADMIN = False  # unlocking is an action on the user list
AXES_VERBOSE = False
# The address is the connection's own; X-Forwarded-For counts only behind our own proxy,
# or anyone could change address at every try.
if env_bool("BEHIND_HTTPS_PROXY", False):
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# The second factor (SECOND_FACTOR=on): superusers and whoever sees full ID numbers and phones
# type a 6-digit code from an authenticator app on their phone after the password, on every
# page (federation.core.middleware.SecondFactorMiddleware). Off unless set: `make run`'s demo
# users log in with the password alone.
SECOND_FACTOR = env_bool("SECOND_FACTOR", False)
OTP_TOTP_ISSUER = "妇联工作台"  # the name the authenticator app shows above the code
# A wrong code is counted as a wrong password (django-axes); it is not kept in the log of it.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "token"]

LOGIN_URL = "admin:login"
# A login posted without `next` lands on the admin home, not Django's /accounts/profile/.
LOGIN_REDIRECT_URL = "admin:index"

# Roster imports (federation.core.importing).
# The first year the federation keeps records of: the year filters start there, and a
# roster's date of a record (an award, a screening, a dose) may not be earlier.
FIRST_YEAR = 2015

IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 100_000))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 200))
IMPORT_MAX_UNPACKED_BYTES = 400 * 1024 * 1024
IMPORT_MAX_COMPRESSION_RATIO = 100
# A roster of more data rows than this is confirmed in the background (`manage.py db_worker`),
# with a progress page; a village's smaller files are imported while the clerk waits.
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", 2000))
# A background import whose worker has given no sign for this long was stopped (killed, or
# the machine restarted): its page says so. The worker beats every 10 seconds while it runs.
IMPORT_JOB_SILENT_SECONDS = int(os.environ.get("IMPORT_JOB_SILENT_SECONDS", 180))
# Uploads wait here between preview and confirm: private, never under MEDIA_ROOT.
IMPORT_TMP_DIR = Path(os.environ.get("IMPORT_TMP_DIR", BASE_DIR / "var" / "imports"))
IMPORT_TMP_MAX_AGE = int(os.environ.get("IMPORT_TMP_MAX_AGE", 60 * 60))
# `manage.py backup` writes here unless told otherwise (see README, Backups).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))
# The PDFs' font, converted once from the installed Noto Sans SC (federation.core.pdf_font).
PDF_FONT_DIR = Path(os.environ.get("PDF_FONT_DIR", BASE_DIR / "var" / "fonts"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work: tasks wait in the database (django-tasks' database backend, no broker)
# until `manage.py db_worker` runs them; `make run` starts one beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# History is for reading; a revert would bypass the services' rules.
SIMPLE_HISTORY_REVERT_DISABLED = True

IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # With the time and the level, as gunicorn writes its own lines beside ours.
    "formatters": {"plain": {"format": "[{asctime}] [{levelname}] {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# HPV: a girl with one dose is due her second this many days after the first (0, 6 months).
HPV_SECOND_DOSE_DAYS = int(os.environ.get("HPV_SECOND_DOSE_DAYS", 180))

# Care: a caring mother has at most this many active pairings; a pairing without a visit
# for more than this many days is on the overdue list.
CARING_MOTHER_MAX_PAIRINGS = int(os.environ.get("CARING_MOTHER_MAX_PAIRINGS", 3))
CARE_VISIT_OVERDUE_DAYS = int(os.environ.get("CARE_VISIT_OVERDUE_DAYS", 30))
# Break the glass: a file opened by a user without its permission (approved, or at once for the
# roles the town names) stays open this many hours, then closes by itself.
GLASS_HOURS = int(os.environ.get("GLASS_HOURS", 2))

# Retention (`manage.py purge`): people who moved out or died, and closed cases, are kept
# this many years after their last change. Five years covers a village committee's term and
# the county's inspections of past years' ledgers; after that PIPL Art. 19 and 47 ask that
# personal data no longer needed be deleted. Access, report and import logs are kept three
# years (the Cybersecurity Law asks for at least six months).
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", 5))
LOG_RETENTION_YEARS = int(os.environ.get("LOG_RETENTION_YEARS", 3))
