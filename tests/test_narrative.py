from decimal import Decimal as D

from xlbudget.read.narrative import extract_claims
from xlbudget.read.raw import TextLine


def claims(text, page=16):
    return extract_claims([TextLine(page=page, top=0, text=ln) for ln in text.split("\n")])


def test_shares_and_changes():
    cs = claims("2024年度支出预算329.5万元，其中：基本支出297.89万元，占90.41%；项目支出31.61万元，\n占9.59%。"
                "2024年机关运行经费28.04万元，比上年减少2.12万元，下降7.03%。")
    by = {c.subject: c for c in cs}
    assert by["基本支出"].amount == D("297.89") and by["基本支出"].share == D("90.41")
    assert by["项目支出"].share == D("9.59")  # the claim spans a line break
    m = by["机关运行经费"]
    assert (m.amount, m.change, m.change_rate) == (D("28.04"), D("-2.12"), D("-7.03"))
    assert m.page == 16


def test_change_of_a_total_after_its_parts():
    cs = claims("预算收入总计329.50万元，其中：本年收入329.50万元，上年结转0万元，比上年减少6.32万元，下降1.88%。")
    total = next(c for c in cs if c.subject == "收入总计")
    assert total.change == D("-6.32") and total.change_rate == D("-1.88")


def test_infinite_rate_and_execution():
    cs = claims("公务接待费2.00万元，比上年增加2.00万元，增长∞%。一般公共预算支出1,345.20万元，完成年初预算的134.52%。")
    by = {c.subject: c for c in cs}
    assert by["公务接待费"].change_rate_infinite and by["公务接待费"].change_rate is None
    assert by["一般公共预算"].amount == D("1345.20") and by["一般公共预算"].execution_rate == D("134.52")


def test_page_number_does_not_glue_onto_a_rate():
    from xlbudget.read.parse import build_document
    from xlbudget.read.raw import RawDocument

    # 江苏省委办公厅 2018: page 5 ends "…增长", its page number "3", page 6 starts "17.31%。"
    lines = [TextLine(5, 690, "江苏省委办公厅2018年度收入、支出预算总计24458.43万"),
             TextLine(5, 710, "元，与上年相比收、支预算总计各增加3608.98万元，增长"), TextLine(5, 790, "3"),
             TextLine(6, 60, "17.31%。主要原因是人员经费政策性调增。")]
    doc = build_document(RawDocument(source="x.pdf", n_pages=6, blocks=lines))
    c = next(c for c in doc.claims if c.amount == D("24458.43"))
    assert (c.subject, c.change, c.change_rate) == ("支出预算", D("3608.98"), D("17.31"))


def test_scope_of_fund_specific_claims():
    cs = claims("2018年政府性基金支出预算支出0万元，与上年数一致。2018年度政府采购支出预算总额1,281.76万元。"
                "一般公共预算拨款安排的会议费预算支出933.50万元，与上年预算数一致。")
    assert [(c.subject, c.scope) for c in cs] == [("支出预算", "政府性基金"), ("支出预算", "政府采购"),
                                                 ("会议费", "一般公共预算")]
    assert cs[2].change == 0


def test_execution_claims_of_a_final_account():
    cs = claims("2023年度一般公共预算财政拨款支出年初预算422.73万元，支出决算568.68万元，完成年初预算的134.52%。其中："
                "基本支出年初预算324.07万元，支出决算423.74万元，完成年初预算的130.75%；")
    ex = [c for c in cs if c.budget is not None]
    assert [(c.subject, c.budget, c.amount, c.execution_rate) for c in ex] == [
        ("财政拨款", D("422.73"), D("568.68"), D("134.52")), ("基本支出", D("324.07"), D("423.74"), D("130.75"))]


def test_function_items_named_with_their_level():
    cs = claims("（三）住房保障支出（类）1．住房改革支出（款）住房公积金（项）支出1442.74万元，与上年相比增加368.97万元，"
                "增加34.38 %。2．一般公共服务（类）支出10,191.56万元。")
    assert [(c.subject, c.amount) for c in cs] == [("科目:住房公积金", D("1442.74")), ("科目:一般公共服务", D("10191.56"))]
    assert cs[0].change == D("368.97") and cs[0].change_rate == D("34.38")
