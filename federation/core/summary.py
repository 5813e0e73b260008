"""The annual summary (年度工作汇总): the year-in-review's figures, board by board, from the
rows and figures every app registers (reporting.summary_rows, summary_figure)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.reporting import DateRange, ReportScope, Table, report, summary_figures


@report(
    "annual_summary",
    gettext_lazy("Annual work summary"),
    gettext_lazy("The figures of the year-in-review, board by board."),
    permission=(),  # each row is read with the permission of its own records
)
def annual_summary(rs: ReportScope, period: DateRange) -> Table:
    """Every app's rows, in their order; a row the reader may not read is left out."""
    table = Table(header=[_("Board"), _("Indicator"), _("Value"), _("Unit")])
    for row, value, url in summary_figures(rs, period):
        table.rows.append([str(row.section), str(row.indicator), value, str(row.unit)])
        if url:
            table.links[(len(table.rows) - 1, 2)] = url
    return table
