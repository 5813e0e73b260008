"""Browser tests (issue 14): Playwright for Python drives Debian's chromium (/usr/bin/chromium,
headless; never a browser download) against a live server with the demo town.

The server is a process of its own, as production runs: ``manage.py runserver`` with
tests.e2e.settings (DEBUG off) on a free port of 127.0.0.1, over a database of its own that
``python -m tests.e2e.prepare`` migrates and fills with the demo town (``seed_demo``, ~20 s)
once per test session (once per xdist worker that runs browser tests). It never shares the
suite's test database, so the other tests' transactions, flushes and ordering do not touch it,
and it works the same under ``pytest -n``:

- SQLite runs (DATABASE_URL unset or sqlite): a SQLite file in the session's temporary folder;
- PostgreSQL runs (DATABASE_URL=postgres://…): a database ``test_e2e_<pid>`` on the same
  server, created here and dropped at the end.

Uploads and the imports' waiting files go to the session's temporary folder too. Scenarios
share the seeded town within a session, so each picks records no other scenario changes, and
reads figures before and after rather than pinning them.

Each test's screenshots go to tests/e2e/screenshots/<test>/ (ignored by git), with
``pages.txt`` (every page visited, its width and its Latin words); at the end of the session
``tests/e2e/screenshots/latin_words.txt`` gathers every test's Latin words with the page URL.

Development aid: E2E_SERVER_URL=http://127.0.0.1:8000 runs the tests against a server you
started yourself (``make run``), seeded with ``python -m tests.e2e.prepare`` (the tests change
its data).
"""

import fcntl
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest

from federation.demo import DEMO_PASSWORD
from tests.e2e.journey import Journeys

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = (
    "The browser tests (tests/e2e) drive Debian's chromium with a CJK font. Install them as root with\n"
    "    apt-get update && apt-get install -y chromium fonts-noto-cjk\n"
    "(`make test` and .ci/run do this themselves when run as root), and Playwright for Python with\n"
    "    .venv/bin/pip install -r requirements-dev.txt\n"
    "Never `playwright install`: the tests use /usr/bin/chromium, not a downloaded browser."
)
# Chromium as root in a container, on a machine whose network is closed: no sandbox, no GPU,
# none of the background connections Chromium would try at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SERVER_START_SECONDS = 60
PREPARE_SECONDS = 600
# The live server's database, once it is prepared (none against E2E_SERVER_URL).
SERVER_DATABASE: dict[str, str] = {}


def run_id() -> str:
    """One id for a whole test run, the same in every xdist worker."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or os.environ.setdefault("E2E_RUN_ID", secrets.token_hex(8))


# The database -----------------------------------------------------------------------------


class SQLiteDatabase:
    def __init__(self, folder: Path):
        self.url = f"sqlite:///{folder / 'e2e.sqlite3'}"

    def drop(self) -> None:
        pass  # the session's temporary folder goes with it


class PostgresDatabase:
    """A database of its own on the suite's PostgreSQL server, named so that no other run (or
    another engineer's suite) takes it."""

    def __init__(self, url: str):
        self.config = dj_database_url.parse(url)
        self.name = f"test_e2e_{os.getpid()}"
        self.url = urlsplit(url)._replace(path=f"/{self.name}").geturl()
        self.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        self.execute(f'CREATE DATABASE "{self.name}"')

    def execute(self, sql: str) -> None:
        import psycopg

        config = self.config
        with psycopg.connect(
            dbname=config["NAME"] or "postgres",
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            autocommit=True,
        ) as connection:
            connection.execute(sql)

    def drop(self) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def server_database(folder: Path):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresDatabase(url)
    return SQLiteDatabase(folder)


# The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/admin/login/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The base URL of a live server with the demo town (and a 冯河村 clerk)."""
    if os.environ.get("E2E_SERVER_URL"):
        yield os.environ["E2E_SERVER_URL"].rstrip("/")
        gather_latin_words()
        return
    folder = tmp_path_factory.mktemp("e2e_server")
    database = server_database(folder)
    SERVER_DATABASE["url"] = database.url
    keep = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env = {
        **keep,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.settings",
        "DATABASE_URL": database.url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MEDIA_ROOT": str(folder / "media"),
        "IMPORT_TMP_DIR": str(folder / "imports"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    log = folder / "server.log"
    server = None
    try:
        prepared = subprocess.run(
            [sys.executable, "-m", "tests.e2e.prepare"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=PREPARE_SECONDS,
        )
        assert prepared.returncode == 0, f"preparing the demo town failed:\n{prepared.stdout}\n{prepared.stderr}"
        for _attempt in range(3):
            port = free_port()
            with log.open("ab") as output:
                server = subprocess.Popen(
                    [sys.executable, "manage.py", "runserver", "--insecure", "--noreload", f"127.0.0.1:{port}"],
                    cwd=ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            deadline = time.monotonic() + SERVER_START_SECONDS
            while time.monotonic() < deadline and server.poll() is None and not answers(port):
                time.sleep(0.2)
            if server.poll() is None and answers(port):
                break
            stop(server)
            server = None  # the port was taken meanwhile, or the server did not start
        assert server is not None, f"the test server did not start:\n{tail(log)}"
        yield f"http://127.0.0.1:{port}"
    finally:
        if server is not None:
            stop(server)
        database.drop()
        gather_latin_words()


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# The browser ------------------------------------------------------------------------------


def chromium_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing."
    fonts = shutil.which("fc-list")
    listed = subprocess.run([fonts, ":lang=zh", "family"], capture_output=True, text=True) if fonts else None
    if listed is None or not listed.stdout.strip():
        return "No font for Chinese is installed: screenshots would show boxes instead of characters."
    return None


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium for one test module (Playwright's sync API holds an event loop
    on this thread while it runs, which Django's ORM refuses: it stops when the module ends)."""
    missing = chromium_missing()
    if missing:
        pytest.fail(f"{missing}\n{INSTALL_HINT}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright for Python is not installed.\n{INSTALL_HINT}", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server_sql(demo_server):
    """Run SQL on the live server's database: a test makes time pass there (a request to open a
    file ending), which no page does. None against E2E_SERVER_URL."""
    url = SERVER_DATABASE.get("url")
    if url is None:
        return None

    def run(sqlite: str, postgres: str) -> None:
        if url.startswith("sqlite:///"):
            with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
                connection.execute(sqlite)
        else:
            import psycopg

            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(postgres)

    return run


@pytest.fixture
def journeys(request, browser, demo_server):
    """Open a user's journey with ``journeys.open("taiba")``; call ``journeys.finish()`` last."""
    name = re.sub(r"[^\w-]+", "-", request.node.name).strip("-")  # test_x[phone] → test_x-phone
    folder = SCREENSHOTS / name
    shutil.rmtree(folder, ignore_errors=True)
    recorded = Journeys(browser, demo_server, folder, DEMO_PASSWORD)
    yield recorded
    recorded.close()
    if recorded.pages:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "pages.txt").write_text(f"run {run_id()}\n{recorded.report()}\n", encoding="utf-8")


def gather_latin_words() -> None:
    """tests/e2e/screenshots/latin_words.txt: the Latin words of this run's tests, page by page.
    Every worker rewrites it from the tests' pages.txt under a lock, the last with them all."""
    if not SCREENSHOTS.exists():
        return
    current = f"run {run_id()}"
    with (SCREENSHOTS / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sections = []
        for pages in sorted(SCREENSHOTS.glob("*/pages.txt")):
            lines = pages.read_text(encoding="utf-8").splitlines()
            if not lines or lines[0] != current:
                continue  # a test of an earlier run that this one did not run
            found, page, shown = [], None, None
            for line in lines[1:]:
                if not line.startswith("    "):
                    page = line
                    continue
                if page != shown:
                    found.append(page)
                    shown = page
                found.append(line)
            if found:
                sections.append(f"== {pages.parent.name}\n" + "\n".join(found))
        text = "\n\n".join(sections) if sections else "No Latin words on any page visited."
        (SCREENSHOTS / "latin_words.txt").write_text(text + "\n", encoding="utf-8")
