"""Reading and stitching tolerances: one frozen dataclass each, tuned by name."""
import pytest

from xlbudget.read.raw import Fragment, RawDocument, TextLine
from xlbudget.settings import PdfSettings, StitchSettings
from xlbudget.read.stitch import group_tables


def test_resolve_takes_none_a_dict_or_an_instance():
    assert StitchSettings.resolve(None) == StitchSettings()
    tuned = StitchSettings.resolve({"continuation_min_bottom": 0.5})
    assert tuned.continuation_min_bottom == 0.5 and tuned.same_width_tolerance == StitchSettings().same_width_tolerance
    assert StitchSettings.resolve(tuned) is tuned
    assert PdfSettings.resolve({"snap_tolerance": 4}).table_settings()["snap_tolerance"] == 4


def test_unknown_or_negative_tolerances_are_refused():
    with pytest.raises(ValueError, match="unknown StitchSettings fields: snap"):
        StitchSettings.resolve({"snap": 1})
    with pytest.raises(ValueError, match="must not be negative"):
        PdfSettings(min_column_width=-1)
    with pytest.raises(TypeError):
        PdfSettings.resolve(3)


def _two_pages(bottom_of_first):
    rows = [["科目编码", "科目名称", "合计"], ["201", "一般公共服务支出", "10.00"]]
    p1 = Fragment(page=1, top=200, bottom=bottom_of_first, x0=50, x1=544, page_height=842,
                  col_x=[50.0, 150.0, 400.0], rows=rows)
    p2 = Fragment(page=2, top=57, bottom=120, x0=50, x1=544, page_height=842, col_x=[50.0, 150.0, 400.0],
                  rows=[["20103", "政府办公厅（室）及相关机构事务", "10.00"]])
    return RawDocument("t.pdf", 2, [TextLine(1, 150, "2024年预算支出总表"), p1, p2])


def test_a_tuned_tolerance_changes_the_reading():
    # the first page's grid ends at 70% of the page: by default (72%) the next page starts a
    # table of its own; a caller who lowers the threshold gets one table across the break
    raw = _two_pages(bottom_of_first=0.70 * 842)
    assert len(group_tables(raw)) == 2
    assert len(group_tables(raw, {"continuation_min_bottom": 0.6})) == 1


def test_reading_limits_are_settings_too():
    # the limits that stop a hostile PDF are tuned like any tolerance; the message names the one hit
    from conftest import RENDERED, need
    from xlbudget.model import LimitError
    from xlbudget.read.pdf import read_pdf

    pdf = need(RENDERED / "pdf_a" / "000_7d1637c2b07940b9.pdf")
    with pytest.raises(LimitError, match="max_pages=3"):
        read_pdf(str(pdf), {"max_pages": 3})
