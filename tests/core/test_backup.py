"""`manage.py backup` and `restore`: a copy of the database and the uploaded files that
comes back whole, on the test run's database (SQLite or PostgreSQL) and on a SQLite file as
a cron job runs it."""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from federation.core.backups import backup_time
from federation.core.files import protected_storage
from federation.models import ActivityAttachment, Household, Person
from federation.services import attachment_save
from points.models import Goods, PointEntry, PointRule, Redemption, RedemptionEvent, StockLine
from points.services import (
    goods_restock,
    goods_save,
    point_award,
    point_rule_save,
    redemption_create,
    redemption_event_save,
)
from tests.factories import ActivityFactory, HouseholdFactory, PersonFactory

# pg_dump and the SQLite backup API read what is committed, so the data must be committed.
# serialized_rollback: the test leaves the database as the migrations made it (roles included)
# for the transactional tests after it in its worker; a plain flush re-creates the content types
# under new keys, which a later test's restore (tests/aid/test_visit_migration.py) trips on.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent.parent
DAY = date(2024, 5, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MODELS = [Person, Household, PointEntry, StockLine, Redemption, ActivityAttachment]


@pytest.fixture(autouse=True)
def places(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    # The field made its storage when the model loaded, under the real MEDIA_ROOT.
    monkeypatch.setattr(ActivityAttachment._meta.get_field("file"), "storage", protected_storage())


@pytest.fixture
def town_with_points(town, taiba, fenghe):
    """Four households with points, a redemption and a photo, made as users make them."""
    rule = point_rule_save(
        rule=PointRule(town=town, category=PointRule.Category.SANITATION, description="庭院整洁", points=50), by=None
    )
    households = []
    for village in (taiba, fenghe):
        for _ in range(2):
            household = HouseholdFactory(village=village)
            household.head = PersonFactory(village=village, household=household)
            household.save()
            point_award(household=household, rule=rule, day=DAY, by=None)
            households.append(household)
    oil = goods_save(goods=Goods(town=town, name="食用油", unit="桶", points_price=30), by=None)
    goods_restock(goods=oil, quantity=10, by=None)
    event = redemption_event_save(event=RedemptionEvent(village=taiba, date=DAY, place="太坝村委会"), by=None)
    first = households[0]
    redemption_create(event=event, household=first, person=first.head, items=[(oil, 1)], by=None)
    activity = ActivityFactory(town=town, villages=[taiba])
    attachment_save(
        attachment=ActivityAttachment(activity=activity, title="现场照片", file=ContentFile(PNG, name="照片.png")),
        by=None,
    )
    return households


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def backup(**options) -> tuple[Path, list[str]]:
    out = io.StringIO()
    call_command("backup", stdout=out, **options)
    lines = out.getvalue().splitlines()
    return Path(lines[-1]), lines


def test_a_backup_restored_into_an_empty_database_brings_everything_back(settings, town_with_points):
    before = counts()
    path, lines = backup()

    manifest = json.loads((path / "manifest.json").read_text())
    assert path.parent == settings.BACKUP_DIR and path.name.startswith("fulian-")
    tables, rows = len(manifest["tables"]), sum(manifest["tables"].values())
    assert lines == [f"已备份 {tables} 张数据表（共 {rows} 行）和 1 个上传文件。", str(path)]
    # Readable by the owner only, folders and files.
    assert {folder.stat().st_mode & 0o777 for folder in [path, *path.rglob("*")] if folder.is_dir()} == {0o700}
    assert {file.stat().st_mode & 0o777 for file in path.rglob("*") if file.is_file()} == {0o600}
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["federation_person"] == before["Person"]
    assert manifest["tables"]["points_pointentry"] == before["PointEntry"]
    assert "0001_initial" in manifest["migrations"]["points"]
    (photo,) = [name for name in manifest["files"] if name.startswith("media/")]
    assert (path / photo).read_bytes() == PNG

    call_command("flush", "--noinput")
    shutil.rmtree(settings.MEDIA_ROOT)
    assert set(counts().values()) == {0}

    out = io.StringIO()
    call_command("restore", str(path), "--noinput", stdout=out)

    when = backup_time(manifest)
    assert out.getvalue().splitlines() == [f"已恢复 {when} 的备份：{tables} 张数据表（共 {rows} 行）和 1 个上传文件。"]
    assert counts() == before
    attachment = ActivityAttachment.objects.get()
    with attachment.file.open("rb") as file:
        assert file.read() == PNG
    checked = io.StringIO()
    call_command("points_check", stdout=checked)
    assert checked.getvalue().strip() == "全部积分余额和库存都与台账一致。"
    assert Household.objects.get(pk=town_with_points[0].pk).points_balance == 20


def test_backup_writes_into_the_directory_it_is_given(tmp_path, town):
    path, _ = backup(output=str(tmp_path / "usb"))

    assert path.parent == tmp_path / "usb"
    assert sorted(file.name for file in path.iterdir()) == sorted(
        ["manifest.json", "database.sqlite3" if connection.vendor == "sqlite" else "database.dump"]
    )
    assert not [name for name in os.listdir(tmp_path / "usb") if name.endswith(".partial")]


def test_restore_asks_first_and_an_answer_other_than_yes_changes_nothing(monkeypatch, town_with_points, taiba):
    path, _ = backup()
    PersonFactory(village=taiba, name="备份后登记")
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "no")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path))

    assert str(refused.value) == "已取消恢复，未做任何改动。"
    assert "yes" in prompts[0] and "备份" in prompts[0]
    assert Person.objects.filter(name="备份后登记").exists()

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("restore", str(path), stdout=io.StringIO())

    assert not Person.objects.filter(name="备份后登记").exists()


def test_a_path_that_is_not_a_backup_is_refused_in_chinese(tmp_path, town):
    folder = tmp_path / "照片"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"format": "something else"}')

    for path in (folder, tmp_path / "nowhere"):
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(path), "--noinput")
        assert str(refused.value) == f"{path} 不是由 manage.py backup 生成的备份。"


def test_a_damaged_backup_or_one_of_another_engine_is_refused_before_anything_changes(town_with_points):
    path, _ = backup()
    Person.objects.filter(pk=town_with_points[0].head_id).update(name="改过的名字")
    manifest = json.loads((path / "manifest.json").read_text())
    (photo,) = [name for name in manifest["files"] if name.startswith("media/")]
    (path / photo).write_bytes(PNG + b"x")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), "--noinput")
    assert str(refused.value) == f"备份已损坏：{path / photo} 缺失，或在备份写成后被改动过。"

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    (path / "manifest.json").write_text(json.dumps({**manifest, "engine": other}))
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), "--noinput")
    assert str(refused.value) == f"这是 {other} 数据库的备份，而本系统使用 {connection.vendor}，不能在此恢复。"

    assert Person.objects.filter(name="改过的名字").exists()


def test_a_sqlite_file_is_backed_up_and_restored_by_the_commands_as_a_cron_job_runs_them(tmp_path):
    """The test run's own SQLite database lives in memory; a server's is a file."""
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "SECRET_KEY": "backup-test-" + "k" * 50,
    }

    def manage(*arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput", "-v0")  # the migrations make the roles (auth groups)
    (tmp_path / "media" / "protected").mkdir(parents=True)
    (tmp_path / "media" / "protected" / "照片.png").write_bytes(PNG)
    with closing(sqlite3.connect(database)) as server:
        roles = server.execute("SELECT name FROM auth_group ORDER BY name").fetchall()
    assert roles

    path = Path(manage("backup").splitlines()[-1])

    assert path.parent == tmp_path / "backups"
    with closing(sqlite3.connect(database)) as server, server:
        server.execute("DELETE FROM auth_group_permissions")
        server.execute("DELETE FROM auth_group")
    (tmp_path / "media" / "protected" / "照片.png").unlink()

    manage("restore", str(path), "--noinput")

    with closing(sqlite3.connect(database)) as server:
        assert server.execute("SELECT name FROM auth_group ORDER BY name").fetchall() == roles
    assert (tmp_path / "media" / "protected" / "照片.png").read_bytes() == PNG
