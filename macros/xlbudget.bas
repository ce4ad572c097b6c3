Attribute VB_Name = "xlbudget"
' xlbudget macros for Excel (Windows and macOS), on top of xlwings RunPython.
'
' Setup (once): from a checkout of the repository, pip install -e ".[excel]" in the Python that Excel uses,
' run "xlwings addin install", then in this workbook's VBA editor tick
' Tools > References > xlwings (macOS: lower left of the VBA editor).
' Import this file into the workbook you want to fill (File > Import File),
' save it as .xlsm. See macros/README.md.
'
' This file is kept ASCII-only on purpose: the VBA editor reads .bas files in
' the system code page, so Chinese text here would be garbled on some machines.
Option Explicit

' Import the PDF named by the workbook name XLB_PDF (or typed in cell A1 of the
' active sheet; a relative path is relative to this workbook's folder) into this
' workbook: one sheet per table, plus a check sheet with the findings.
Public Sub ImportPdf()
    RunPython "import xlbudget.excel.udfs as u; u.import_pdf_to_active_caller()"
End Sub

' Ask for a PDF, remember it in the workbook name XLB_PDF, then import it.
Public Sub ChooseAndImportPdf()
    Dim f As Variant
    #If Mac Then
        f = Application.GetOpenFilename()
    #Else
        f = Application.GetOpenFilename("PDF (*.pdf),*.pdf", , "xlbudget: choose a disclosure PDF")
    #End If
    If VarType(f) = vbBoolean Then Exit Sub ' cancelled
    ThisWorkbook.Names.Add Name:="XLB_PDF", RefersTo:="=""" & Replace(CStr(f), """", """""") & """"
    ImportPdf
End Sub

' Compare workbooks (years of one department, or peer departments).
' Implemented in xlbudget.excel.macros.compare_workbooks.
Public Sub CompareWorkbooks()
    RunPython "import xlbudget.excel.udfs as u; u.run_macro('xlbudget.excel.macros', 'compare_workbooks')"
End Sub

' Convert a folder of PDFs to workbooks, headless.
' Implemented in xlbudget.excel.macros.batch_convert.
Public Sub BatchConvert()
    RunPython "import xlbudget.excel.udfs as u; u.run_macro('xlbudget.excel.macros', 'batch_convert')"
End Sub
