"""The check the browser tests make on every page's visible text (tests/e2e/journey.py)."""

import pytest

from tests.e2e.journey import latin_words

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("HPV疫苗接种记录 · 下载 CSV 下载 Excel · .xlsx、.xls 或 UTF-8/GBK 的 .csv", []),
        ("SHA-256 校验值：88f10f985af4c9c5f699916ff91b3f1e858db640cd7ac388207fcec79339478d", []),
        ("2026年12月2日 23:16\ttaiba\t年度工作汇总", []),  # a login name is data, as an ID number is
        ("首页 › 敏感档案查阅记录 › health.hpvgirl #573", ["health", "hpvgirl"]),
        ("权限：Can add care target", ["Can", "add", "care", "target"]),
        ("ID 与 No. 太短，不算", []),
    ],
)
def test_latin_words_of_three_letters_or_more_outside_the_allowed_codes(text, words):
    assert [word for word, _line in latin_words(text)] == words
