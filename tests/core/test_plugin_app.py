"""A new app plugs in without editing federation/ (issue 13): the test suite's fifth app,
tests/plugin/venues (妇女之家), adds a report, a row of the annual summary with its figure, a
column of the people roster, a home-page work list, an inline on the village's page and its
part of the demo town, through federation.core.registry alone.

The registry is filled when the apps are ready, so the plugin runs in processes of its own
(tests.plugin.settings: the project's settings and the plugin app), with a SQLite file of its
own whatever database the suite runs on. The main suite's apps stay as they are.
(A second report of a taken name is refused: test_registry.py.)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from federation.core.identity import check_character

ROOT = Path(__file__).resolve().parents[2]
FIRST17 = "62010219880715052"  # an area code the demo town never uses: a new person
NUMBER = FIRST17 + check_character(FIRST17)

# Run by `manage.py shell -c` after the roster import: what the commands cannot show.
CHECKS = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment

from federation.core.fields import refuse_control_characters
from federation.models import Person
from federation.core.models import Village
from federation.core.registry import project_apps, registry
from tests.plugin.venues.models import Venue

call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # the plugin's migrations are complete
setup_test_environment()  # the test client's host, and the context of the pages it gets
number = "%(number)s"
town = get_user_model().objects.get(username="town")
client = Client()
client.force_login(town)
home = client.get("/admin/")
work_list = client.get("/admin/venues/venue/?list=no_volunteers")
taiba = Village.objects.get(name="太坝村")
village_page = client.get(f"/admin/federation/village/{taiba.pk}/change/")
exported = registry.rosters["people"](user=town).export(queryset=Person.objects.filter(id_number=number))
unknown = registry.rosters["people"](user=None).import_file(
    "姓名,公民身份号码,村(社区),妇女之家\\n苏梅,%(number)s,太坝,没有这个之家\\n".encode(),
    "unknown.csv",
    dry_run=True,
    again=True,
)
print(json.dumps({
    "project_apps": [config.label for config in project_apps()],
    "guarded": refuse_control_characters in Venue._meta.get_field("name").validators,
    "venues": {venue.name: sorted(p.id_number for p in venue.volunteers.all()) for venue in Venue.objects.all()},
    "home": [home.status_code, home.content.decode()],
    "work_list": [work_list.status_code, [str(venue) for venue in work_list.context["cl"].result_list]],
    "village_page": [village_page.status_code, village_page.content.decode()],
    "export": [list(exported.headers), list(exported[0]) if len(exported) else []],
    "unknown": [str(error) for error in unknown.errors],
}, ensure_ascii=False))
"""


def test_a_new_app_plugs_in_through_the_registry_alone(tmp_path):
    assert "tests.plugin.venues" not in settings.INSTALLED_APPS  # the suite's own apps are untouched
    keep = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env = {
        **keep,
        "DJANGO_SETTINGS_MODULE": "tests.plugin.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'plugin.sqlite3'}",
        "DEBUG": "1",  # the development key and static files
    }

    def manage(*args, fails=False):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert (result.returncode != 0) == fails, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    # The system checks pass (every summary row has its figure: federation.E001).
    assert "no issues" in manage("check")
    manage("migrate", "--noinput", "-v", "0")

    # The demo town gets the plugin's venues (seed_demo runs every registered demo).
    assert "站儿巷镇" in manage("seed_demo")

    # The plugin's report, for the town admin (her role got the venues' permissions in the
    # plugin's migration), and its row of the annual summary with its figure, in its order.
    table = manage("county_report", "venues_villages", "--year", "2024", "--user", "town").lstrip("\ufeff")
    lines = table.splitlines()
    assert lines[0] == "村(社区),妇女之家,志愿者"
    assert {"太坝村,1,2", "冯河村,1,0", "合计,2,2"} <= set(lines), table
    summary = manage("county_report", "annual_summary", "--year", "2024").lstrip("\ufeff").splitlines()
    assert summary[-1] == "妇女之家,新建妇女之家,1,个", summary  # opened in 2024: 太坝村's only

    # The people roster takes the plugin's column, and the plugin's step records the new
    # person as a volunteer once the roster has written her.
    roster = tmp_path / "people.csv"
    roster.write_text(f"姓名,公民身份号码,村(社区),妇女之家\n苏梅,{NUMBER},太坝,太坝村妇女之家\n", encoding="utf-8")
    assert "新增 1" in manage("import_data", "people", str(roster))

    found = json.loads(manage("shell", "--no-imports", "-c", CHECKS % {"number": NUMBER}).strip().splitlines()[-1])
    # The project's protections cover an app kept under tests/ (not the virtualenv's libraries).
    assert found["project_apps"] == ["federation", "points", "health", "aid", "crafts", "organization", "venues"]
    assert found["guarded"]
    assert found["venues"]["冯河村妇女之家"] == []
    assert NUMBER in found["venues"]["太坝村妇女之家"] and len(found["venues"]["太坝村妇女之家"]) == 3
    # The roster exports the column too, and refuses a venue that is not in the user's villages.
    headers, row = found["export"]
    assert "妇女之家" in headers and row[headers.index("妇女之家")] == "太坝村妇女之家"
    assert found["unknown"] == ["第 2 行，“妇女之家”列：您的村(社区)里没有妇女之家“没有这个之家”。"]
    # The home page shows the plugin's work list, whose link lists what it counts.
    status, home = found["home"]
    assert status == 200
    reminders = home[home.index('id="reminders-module"') :]
    assert "还没有志愿者的妇女之家" in reminders and "/admin/venues/venue/?list=no_volunteers" in reminders
    assert found["work_list"] == [200, ["冯河村妇女之家"]]
    # What the plugin adds to the core's admin: its venues on the village's page.
    status, page = found["village_page"]
    assert status == 200 and "太坝村妇女之家" in page
