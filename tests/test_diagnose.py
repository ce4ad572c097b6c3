"""The importer's self-diagnosis: each mis-read shape seen on real PDFs yields one extraction
warning; the same table read correctly yields none."""
from xlbudget.read import diagnose
from xlbudget.checks import rules
from xlbudget.model import BUDGET, FINAL, Cell, Document, Row, Table
from xlbudget.numbers import parse_amount


def _row(*texts, page=3, code=None, total=False):
    r = Row(cells=[Cell(text=t, value=parse_amount(t) if "." in t else None, page=page) for t in texts],
            page=page, code=code, is_total=total)
    r.name = next((t for t in texts if t and "." not in t), None)
    return r


def _doc(table, kind=BUDGET):
    return Document(department="某部门", year=2018, kind=kind, unit="万元", source="x.pdf", tables=[table])


def _b01(rows, header=None):
    return Table(kind="b01", title="收支预算总表", header=header or [["项目名称", "金额", "功能科目名称", "金额"]],
                 rows=rows, columns=["收入/项目名称", "收入/金额", "支出/功能科目名称", "支出/金额"])


def slugs(doc):
    return sorted(f.id for f in diagnose.inspect(doc))


def test_wrapped_cell_split_into_rows_is_reported():
    # the shape 检察院 2018 收支预算总表 had on main: "1.一般公共预算 | 21,940.96" cut into three rows
    t = _b01([
        _row("一、财政拨款", "21,940.96", "一、一般公共服务支出", ""),
        _row("1.一般公共预", "", "", ""),
        _row("", "21,940.96", "二、外交支出", ""),
        _row("算", "", "", ""),
    ])
    found = diagnose.inspect(_doc(t))
    assert [f.id for f in found] == ["EXTRACT.fragment-row", "EXTRACT.fragment-row"]
    assert found[0].cells[0].row == 2 and found[0].cells[0].col == 1 and found[0].page == 3
    assert all(f.severity == "warning" and f.kind == "extraction" for f in found)


def test_the_same_rows_read_right_are_clean():
    t = _b01([
        _row("一、财政拨款", "21,940.96", "一、一般公共服务支出", ""),
        _row("1.一般公共预算", "21,940.96", "二、外交支出", ""),
        _row("", "", "三、国防支出", ""),
        _row("本年收入合计", "21,955.35", "本年支出合计", "21,955.35", total=True),
    ])
    assert slugs(_doc(t)) == []


def test_a_sub_header_row_under_a_section_is_not_a_fragment():
    # 公开10表 prints "项目 | 行次 | 统计数" under each section title
    t = Table(kind="f10", title="部门决算公开相关信息统计表", header=[],
              rows=[_row("一、政府采购情况", "", ""), _row("项目", "行次", "统计数"), _row("货物", "2", "1.00")],
              columns=["项目", "行次", "统计数"])
    assert slugs(_doc(t, FINAL)) == []


def test_level_header_row_in_body_and_code_pieces_read_as_amounts():
    # separate 类 | 款 | 项 columns read as one code column and two amount columns
    t = Table(kind="f03", title="支出决算表", header=[["功能分类科目编码", "", "", "科目名称", "本年支出合计"]],
              rows=[_row("类", "款", "项", "", ""), _row("201", "06", "01", "行政运行", "12.00", code="201")],
              columns=["功能分类科目编码"] * 3 + ["科目名称", "本年支出合计"])
    t.rows[1].cells[1].value = parse_amount("06")  # what the old reader did with "06"
    assert slugs(_doc(t, FINAL)) == ["EXTRACT.amount-in-code-column", "EXTRACT.header-in-body"]


def test_two_rows_glued_into_one():
    # a continuation row joined onto 本年收入合计: two amounts in one cell
    t = Table(kind="f01", title="收入支出决算总表", header=[["项目", "决算数"]],
              rows=[_row("本年收入合计使用非财政拨款结余", "9746.50112.88", total=True)], columns=["项目", "决算数"])
    assert slugs(_doc(t, FINAL)) == ["EXTRACT.glued-cells"]


def test_items_swallowed_into_the_header():
    t = Table(kind="f01", title="收入支出决算总表",
              header=[["项目", "决算数"], ["一、一般公共预算财政拨款收入", ""]],
              rows=[_row("二、政府性基金预算财政拨款收入", "")], columns=["项目/一、一般公共预算财政拨款收入", "决算数"])
    assert slugs(_doc(t, FINAL)) == ["EXTRACT.header-swallowed"]


def test_names_under_an_unnamed_column_while_the_name_column_is_empty():
    t = Table(kind="b05a", title="财政拨款支出预算表", header=[["功能科目名称", "", "金额"]],
              rows=[_row("", "公共安全支出", "10.00"), _row("", "检察", "10.00")],
              columns=["功能科目名称", "列2", "金额"])
    assert slugs(_doc(t)) == ["EXTRACT.unnamed-column"]


def test_performance_forms_are_not_inspected_as_tables():
    t = Table(kind="p_target", title="项目支出绩效目标表", header=[], rows=[_row("", "120.00")], columns=["列1", "列2"])
    assert slugs(_doc(t)) == []


def test_extraction_warnings_are_findings_of_the_document():
    t = _b01([_row("1.一般公共预", "", "", ""), _row("", "21,940.96", "二、外交支出", ""), _row("算", "", "", "")])
    doc = _doc(t)
    doc.diagnostics.extend(diagnose.inspect(doc))
    _, _, findings = rules.run(doc)
    assert [f.id for f in findings if f.kind == "extraction"] == ["EXTRACT.fragment-row"] * 2
    assert rules.check(doc)[:2] == findings[:2]


def test_every_level_summed_as_classes_is_reported():
    # 款 and 项 rows taken for 类 rows: Σ 类 is three times 合计
    rows = [_row("合计", "", "30.00", total=True)]
    for code in ("201", "20106", "2010601", "208", "20805", "2080505"):
        rows.append(_row(code, "某项", "15.00", code=code))
        rows[-1].level = 1  # what the mis-read gave every row
    t = Table(kind="f03", title="支出决算表", header=[["科目编码", "科目名称", "合计"]], rows=rows,
              columns=["科目编码", "科目名称", "合计"])
    assert slugs(_doc(t, FINAL)) == ["EXTRACT.amount-in-code-column"]
    for r, level in zip(rows[1:], (1, 2, 3, 1, 2, 3)):
        r.level = level  # read right: Σ 类 = 合计
    assert slugs(_doc(t, FINAL)) == []


def test_a_period_or_a_version_is_not_two_glued_amounts():
    t = Table(kind="b12", title="项目支出预算表", header=[["项目名称", "实施周期", "金额"]],
              rows=[_row("办公设备购置", "2024.01-2024.12", "12.50"), _row("系统升级", "V1.002", "3.00")],
              columns=["项目名称", "实施周期", "金额"])
    assert slugs(_doc(t)) == []
