"""Fixtures the roster tests share."""

from pathlib import Path

import pytest

from federation.resources import PeopleResource
from points.models import PointRule

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def people(taiba, fenghe):
    """The four people of tests/data/make_files.py, imported from their roster."""
    report = PeopleResource().import_file((DATA / "people_utf8.csv").read_bytes(), "people_utf8.csv", dry_run=False)
    assert report.errors == [] and report.new == 4


@pytest.fixture
def yard(town):
    return PointRule.objects.create(
        town=town, category=PointRule.Category.SANITATION, description="庭院干净整洁", points=10
    )
