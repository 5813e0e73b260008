"""The project's settings with the test suite's plugin app (妇女之家 venues) installed.

Only tests/core/test_plugin_app.py uses them, in a subprocess: the registry is filled
when the apps are ready, so a process of its own shows what a new app gets without any
edit to federation/. The database is DATABASE_URL's, as in the project's settings (the test
gives it a SQLite file of its own).
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.plugin.venues"]
