"""The inspection binder (台账): the year's ledgers as one print-ready PDF or .xlsx.

Each app declares its ledgers with `reporting.binder_section(...)` in its reports.py, filed
under one of the county's inspection categories below; the binder prints them in the
categories' order, then the sections' order. A ledger's tables are its reports' own (the
same rows as the report page and the downloads), read with the reader's permissions.
"""

from django.utils.translation import pgettext_lazy

# The county's inspection categories (年度考核), in the order of its scoring sheet.
CATEGORIES = {
    "organization": pgettext_lazy("binder", "Organisation building"),
    "guidance": pgettext_lazy("binder", "Ideological guidance"),
    "achievement": pgettext_lazy("binder", "Women's achievements"),
    "rights": pgettext_lazy("binder", "Rights and care"),
    "family": pgettext_lazy("binder", "Family building"),
    "children": pgettext_lazy("binder", "Children's work"),
}
