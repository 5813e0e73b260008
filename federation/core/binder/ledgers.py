"""The binder compiled: which ledgers the reader may read, in the county's chapters, and each
ledger's tables as its reports compute them (the approved figures where a report keeps them).

What both files print alike is here too: the cover's lines, the signature line under each
ledger, a cell as text, the chapters' numerals. Laying them out is pdf's and xlsx's.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from federation.core import approved
from federation.core.disclosure import Disclosure
from federation.core.models import ReportLog
from federation.core.registry import CATEGORIES, BinderSection, registry
from federation.core.reporting import DateRange, ReportScope, Table, file_cell

# The county's inspection categories (年度考核) are numbered 一、二、… in the order of its scoring sheet.
NUMERALS = "一二三四五六七八九十"
BINDER_LOG_NAME = "ledger_binder"  # each binder printed is logged under this name


@dataclass
class Ledger:
    section: BinderSection
    tables: list[tuple[str, Table]]  # (the report's title, its table)

    @property
    def title(self) -> str:
        return self.section.title()


@dataclass
class Binder:
    unit: str  # 填报单位: the town's federation, or a village's
    period: DateRange
    printed_on: date
    chapters: list[tuple[str, list[Ledger]]]  # (category, its ledgers) in the county's order
    left_out: list[str] = field(default_factory=list)  # ledgers the reader may not read
    rows: int = 0  # the ledgers' rows written (the download's log counts them)

    @property
    def year_label(self) -> str:
        period = self.period
        if (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31):
            if period.start.year == period.end.year:
                return _("%(year)s annual") % {"year": period.start.year}
        return period.label

    @property
    def ledgers(self) -> list[Ledger]:
        return [ledger for _category, ledgers in self.chapters for ledger in ledgers]

    @property
    def title(self) -> str:
        return _("Women's federation ledgers of %(unit)s, %(year)s") % {"unit": self.unit, "year": self.year_label}

    def file_name(self, extension: str) -> str:
        ledgers = pgettext("file name", "ledgers")  # (not inside the f-string: xgettext reads no f-string)
        return re.sub(r'[\\/:*?"<>|]', "_", f"{self.unit}_{ledgers}_{self.period.label}.{extension}")


def compile_binder(rs: ReportScope, period: DateRange, unit: str) -> Binder:
    """The ledgers `rs.user` may read, each table computed by its report for the scope."""
    sections = sorted(
        registry.binder_sections.values(), key=lambda s: (list(CATEGORIES).index(s.category), s.order, s.name)
    )
    chapters = {key: [] for key in CATEGORIES}
    left_out = []
    for section in sections:
        entries = [registry.reports[name] for name in section.reports]
        readable = [entry for entry in entries if entry.allowed(rs.user)]
        if not readable:
            left_out.append(section.title())
            continue
        tables = []
        for entry in readable:
            table, kept = approved.run(entry, rs, period)
            tables.append((entry.title() if kept is None else f"{entry.title()}（{kept.note()}）", table))
        chapters[section.category].append(Ledger(section, tables))
    return Binder(
        unit=unit,
        period=period,
        printed_on=timezone.localdate(),
        chapters=[(str(label), chapters[key]) for key, label in CATEGORIES.items()],
        left_out=left_out,
    )


def unit_name(rs: ReportScope) -> str:
    """填报单位: 站儿巷镇妇联, or 站儿巷镇太坝村妇联 for one village's binder."""
    rows = rs.village_rows()
    town = rs.town_name
    if len(rows) == 1 and not rs.town_ids:
        return _("%(town)s%(village)s women's federation") % {"town": town, "village": rows[0][1]}
    return _("%(town)s women's federation") % {"town": town or _("county")}


def cover_lines(binder: Binder, compiled_on: str) -> list[tuple[str, str]]:
    """The cover's (label, value) lines under the title; the blank ones are signed by hand."""
    return [
        (_("Reporting unit"), binder.unit),
        (_("Year"), binder.year_label),
        (_("Compiled on"), compiled_on),
        (_("Person in charge (signature)"), ""),
        (_("Compiled by (signature)"), ""),
        (_("Stamp"), ""),
    ]


def signature_line() -> str:
    """The line signed under each ledger."""
    return _(
        "Compiled by: ________    Checked by: ________    Person in charge: ________    (stamp)    Date: ____年__月__日"
    )


def cell_text(value) -> str:
    """A cell as text: as the downloads write it, amounts with two decimals."""
    value = file_cell(value)
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    return str(value)


def lists_people(user) -> bool:
    """Whether the user's binder would hold a ledger of people (then its purpose is asked)."""
    return any(
        registry.reports[name].personal and registry.reports[name].allowed(user)
        for section in registry.binder_sections.values()
        for name in section.reports
    )


def log(user, filters: dict, kind: str, binder: Binder, disclosure: Disclosure | None = None) -> None:
    """Every binder printed is logged as a report download (报表日志), with its purpose."""
    who = user if getattr(user, "pk", None) else None
    ReportLog.objects.create(
        user=who,
        report=BINDER_LOG_NAME,
        filters=filters,
        format=kind,
        rows=binder.rows,
        **(disclosure.log_fields() if disclosure is not None else {}),
    )
