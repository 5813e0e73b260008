"""The answer to a household's points appeal (积分申诉答复单), printed on one A5 page for the
villager: what she said, what was decided and why, and the correcting line if there is one."""

import io
from functools import partial
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from federation.core import pdf_font
from federation.core.disclosure import Disclosure, MarkedCanvas
from points.models import PointAppeal, SupermarketSettings


def _text(value) -> str:
    """A paragraph's text: what the font can print, escaped, its line breaks kept."""
    return escape(pdf_font.printable(str(value))).replace("\n", "<br/>")


def answer_pdf(appeal: PointAppeal, disclosure: Disclosure | None = None) -> bytes:
    """The decided appeal's answer as a PDF, marked with who printed it."""
    font = pdf_font.register()
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=22, alignment=1, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    household = appeal.household
    town = appeal.village.town
    entry = appeal.entry
    correction = appeal.entries.order_by("pk").first()
    rows = [
        (_("Village (community)"), appeal.village.name),
        (_("Household number"), household.number),
        (_("Head of household"), household.head.name if household.head_id else ""),
        (_("Received on"), appeal.received_on.isoformat()),
        (_("Line appealed"), entry.picker_label() if entry else _("an award the household says is missing")),
        (_("What the villager says"), appeal.statement),
        (_("Outcome"), appeal.get_status_display()),
        (_("Reasons"), appeal.outcome),
    ]
    if correction is not None:
        rows.append(
            (
                _("Correcting line"),
                _("%(day)s, %(points)s points, balance after %(balance)d")
                % {"day": correction.date, "points": f"{correction.points:+d}", "balance": correction.balance_after},
            )
        )
    rows.append((_("Answered on"), appeal.decided_on.isoformat() if appeal.decided_on else ""))
    contact = SupermarketSettings.of(town.pk).contact
    if contact:
        rows.append((_("Whom to ask"), contact))
    table = Table(
        [[Paragraph(_text(label), body), Paragraph(_text(value), body)] for label, value in rows],
        colWidths=[28 * mm, 90 * mm],
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    signature = _("%(town)s women's federation (stamp)") % {"town": town.name}
    story = [
        Paragraph(_text(_("Answer to a points appeal")), title),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 12 * mm),
        Paragraph(_text(signature), body),
        Spacer(1, 3 * mm),
        Paragraph(_text(_("Handled by: ________    Date: ____年__月__日")), body),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A5, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
        title=_("Answer to a points appeal"),
    )  # fmt: skip
    document.build(story, canvasmaker=partial(MarkedCanvas, disclosure=disclosure))
    return buffer.getvalue()
