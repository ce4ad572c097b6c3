"""Writing workbooks with openpyxl: the template workbook, the compare sheets, recalculation."""
