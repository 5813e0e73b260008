"""The .xlsx template a clerk downloads, fills in and imports."""

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from federation.core.exporting import neutralize
from federation.core.importing.cells import ChoiceWidget, IdNumberWidget, PhoneWidget, VillageWidget
from federation.core.streams import SafeWorkbook

EXAMPLE_MARK = "示例行：导入时自动跳过，填写时可删除"


def example_cell(column, value):
    return column.widget.render(value) if isinstance(column.widget, ChoiceWidget) else value


def build_template(resource_class, villages) -> bytes:
    """An .xlsx a clerk fills in: title rows, the headers, text ID columns, an example row
    and a drop-down of her villages."""
    resource = resource_class()
    columns = resource.columns()
    names = [village.name for village in villages]
    book = SafeWorkbook(write_only=False)
    sheet = book.active
    sheet.title = str(resource_class.import_title)[:31]
    sheet.append([_("%(roster)s (import template)") % {"roster": resource_class.import_title}])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([_("Reporting unit:"), "", "", pgettext("roster header", "Date:")])
    sheet.append([column.column_name + ("*" if column.required else "") for column in columns])
    # The example row shows values as the drop-downs write them, and says it is an example
    # in a cell of its own: the import skips any row with a cell starting 示例.
    example = resource_class.template_example(names[0] if names else "")
    sheet.append(
        [example_cell(column, example[column.attribute]) if column.attribute in example else "" for column in columns]
        + [EXAMPLE_MARK]
    )
    for cell in sheet[4]:
        cell.font = Font(italic=True, color="808080")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 22 if isinstance(column.widget, IdNumberWidget) else 14
        sheet[f"{letter}3"].font = Font(bold=True)
        if isinstance(column.widget, IdNumberWidget | PhoneWidget):
            for row in range(4, 2001):  # as text, so Excel never rounds an ID number
                sheet[f"{letter}{row}"].number_format = "@"
        if isinstance(column.widget, VillageWidget) and names:
            lists = book.create_sheet("村(社区)")
            for row, name in enumerate(names, start=1):
                lists.cell(row=row, column=1, value=neutralize(name))
            lists.sheet_state = "hidden"
            validation = DataValidation(type="list", formula1=f"='村(社区)'!$A$1:$A${len(names)}", allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}4:{letter}2000")
        if isinstance(column.widget, ChoiceWidget):
            labels = ",".join(str(label) for _value, label in column.widget.choices)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}4:{letter}2000")
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
