from decimal import Decimal as D

from xlbudget.narrative import extract_claims
from xlbudget.raw import TextLine


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
