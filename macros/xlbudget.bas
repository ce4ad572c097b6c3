Attribute VB_Name = "xlbudget"
' xlbudget macros for Excel, on top of xlwings RunPython.
'
' Ready-made: workbooks/xlbudget.xlsm already holds this module, the xlwings module and the
' UDF wrappers (built by "python -m xlbudget.excel.build_workbook"); the buttons on its start
' sheet call the Choose* macros below. To use the macros in another workbook instead, see the
' appendix of macros/README.md (tick Tools > References > xlwings, File > Import File).
'
' This file is kept ASCII-only on purpose: the VBA editor reads .bas files in
' the system code page, so Chinese text here would be garbled on some machines.
Option Explicit

Private Const COMPARE_SHEET As String = "compare"

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

' Check again: the tables of this workbook as saved (after an import and your edits), or the
' file named by XLB_PDF. The findings replace the contents of the findings sheet.
Public Sub Validate()
    If ThisWorkbook.Path <> "" Then ThisWorkbook.Save
    RunPython "import xlbudget.excel.udfs as u; u.run_macro('xlbudget.excel.macros', 'validate_workbook')"
End Sub

' Compare workbooks (years of one department, or peer departments).
' The files are listed in column A of the active sheet.
' Implemented in xlbudget.excel.macros.compare_workbooks.
Public Sub CompareWorkbooks()
    RunPython "import xlbudget.excel.udfs as u; u.run_macro('xlbudget.excel.macros', 'compare_workbooks')"
End Sub

' Ask for two or more PDFs or xlbudget workbooks, list them on the sheet "compare", compare them.
Public Sub ChooseAndCompare()
    Dim files As Variant, i As Long, sht As Worksheet
    #If Mac Then
        files = Application.GetOpenFilename(MultiSelect:=True)
    #Else
        files = Application.GetOpenFilename("PDF or xlsx (*.pdf;*.xlsx),*.pdf;*.xlsx", , _
            "xlbudget: choose two or more files", , True)
    #End If
    If Not IsArray(files) Then Exit Sub ' cancelled
    On Error Resume Next
    Set sht = ThisWorkbook.Worksheets(COMPARE_SHEET)
    On Error GoTo 0
    If sht Is Nothing Then
        Set sht = ThisWorkbook.Worksheets.Add(After:=ThisWorkbook.Worksheets(ThisWorkbook.Worksheets.Count))
        sht.Name = COMPARE_SHEET
    End If
    sht.Cells.ClearContents
    For i = LBound(files) To UBound(files)
        sht.Cells(i - LBound(files) + 1, 1).Value = CStr(files(i))
    Next i
    sht.Activate
    CompareWorkbooks
End Sub

' Convert a folder of PDFs to workbooks, headless.
' Implemented in xlbudget.excel.macros.batch_convert.
Public Sub BatchConvert()
    RunPython "import xlbudget.excel.udfs as u; u.run_macro('xlbudget.excel.macros', 'batch_convert')"
End Sub

' Ask for a folder of PDFs, remember it in the workbook name XLB_BATCH_DIR, convert it.
Public Sub ChooseAndBatchConvert()
    Dim folder As String
    #If Mac Then
        folder = InputBox("Folder of PDFs (full path)", "xlbudget")
    #Else
        With Application.FileDialog(4) ' msoFileDialogFolderPicker
            .Title = "xlbudget: choose a folder of PDFs"
            If .Show <> -1 Then Exit Sub ' cancelled
            folder = .SelectedItems(1)
        End With
    #End If
    If folder = "" Then Exit Sub
    ThisWorkbook.Names.Add Name:="XLB_BATCH_DIR", RefersTo:="=""" & Replace(folder, """", """""") & """"
    BatchConvert
End Sub
