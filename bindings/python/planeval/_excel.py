"""Excel in and out: a data-entry workbook for a plan (:func:`excel_template`, in
:mod:`planeval._template`), reading filled workbooks, or plain tidy sheets, back into observations
(:func:`read_excel`; with CSV files: :func:`read_observations`), and a data-checking workbook per
school (:func:`write_check_reports`), in :mod:`planeval._excel_read`. The layout both share (sheets,
the hidden ``_planeval`` sheet, the machine row, the labels) is :mod:`planeval._workbook`.

openpyxl is imported when a function here is called (``pip install planeval[excel]``).
"""

from __future__ import annotations

from ._excel_read import read_excel, read_observations, write_check_reports
from ._template import excel_template
from ._workbook import DISTRICT, META_SHEET, STAGES, TEMPLATE_FORMAT, add_standards, referenced_standards

__all__ = [
    "DISTRICT",
    "META_SHEET",
    "STAGES",
    "TEMPLATE_FORMAT",
    "add_standards",
    "excel_template",
    "read_excel",
    "read_observations",
    "referenced_standards",
    "write_check_reports",
]
