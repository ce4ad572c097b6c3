"""Pure: raw blocks -> :class:`~xlbudget.model.Document`.

Stitched grids are split into header and body, classified, their amounts parsed
as Decimal, codes rebuilt with levels, and the narrative claims extracted.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import List, Optional, Tuple

from . import classify, codes
from .model import Cell, Document, Row, Table
from .narrative import extract_claims
from .numbers import looks_numeric, parse_amount
from .raw import RawDocument, TextLine
from .stitch import LogicalTable, group_tables, is_page_furniture

UNIT_RE = re.compile(r"(?:金额)?单\s*位\s*[:：]\s*(万元|元|千元|亿元)")
DEPT_RE = re.compile(r"(?:部门名称|单位名称|预算部门|部门)\s*[:：]\s*([^\s:：]{2,40}?)(?:\s|单\s*位|金额单位|$)")
LABEL_RE = re.compile(r"^(预算公开表\s*\d+|公开\s*\d+\s*表|表[一二三四五六七八九十]+|附表\s*\d+|部门公开表\s*\d+)")
EMPTY_RE = re.compile(r"本表无数据|本部门无相关|无相关收支|本单位无|此表无数据|本表为空|此表为空|本表无内容")
YEAR_RE = re.compile(r"(20\d{2})\s*年")
# a narrative sentence about money: 万元 in a clause ("…基本支出5377.64万元，占55.10%；"); a blank
# template's "XXX万元" is no figure
NARRATIVE_LINE_RE = re.compile(r"(?<![XＸx×*＊])万元\s*[，。；,;]|[，。；,;][^，。；,;]*(?<![XＸx×*＊])万元")
# this many such lines make a narrative (情况说明) whose claims the checks expect to read
NARRATIVE_MIN_LINES = 2
# a printed figure with decimals ("5377.64"): a filled narrative has them, a blank template not
FIGURE_RE = re.compile(r"\d\.\d{2}(?!\d)")
# a document with this many tables is a disclosure, not a table cut out of one
DISCLOSURE_MIN_TABLES = 3
TOTAL_RE = re.compile(r"^(合\s*计|总\s*计|小\s*计|部门合计|本年收入合计|本年支出合计|收入总计|支出总计)")
CODE_HEAD_RE = re.compile(r"编码|代码|科目编号")


def _is_code_cell(s: str) -> bool:
    return codes.code_text(s) is not None and len(codes.code_text(s)) in (2, 3, 5, 7)


def _header_rows(rows: List[List[str]]) -> int:
    """Number of leading header rows: until the first row that carries data.

    A 合计 / 一、 row with no amount counts as data only when nothing else is printed in
    it ("合计 | 基本支出 | 项目支出" is a header of the wide layout, "合计 | | " an empty total).
    """
    for i, r in enumerate(rows):
        first = next((c for c in r if c.strip()), "")
        if any(looks_numeric(c) and ("." in c or "," in c) for c in r):
            return i
        if r and _is_code_cell(r[0]) and any(c.strip() and not _is_code_cell(c) for c in r[1:]):
            return i
        others = [c for c in r[1:] if c.strip()]
        if r and TOTAL_RE.match("".join(r[0].split())) and (not others or any(looks_numeric(c) for c in others)):
            return i
        if re.match(r"^[一二三四五六七八九十]+、", first.strip()) and (
                len([c for c in r if c.strip()]) == 1 or any(looks_numeric(c) for c in r)):
            return i
        if EMPTY_RE.search("".join(r)):
            return i
        if i >= 1 and r and r[0].strip() and not others and len(rows) > i + 1:
            return i  # an item row printed without amounts (an empty line of the table)
    return min(len(rows), 3)


FORM_KINDS = ("p_target", "p_eval", "p_overall")
# labels only a 绩效 form prints: its indicator block
FORM_LABEL_RE = re.compile(r"^(一级指标|绩效指标|年度绩效指标)$")


def _is_form(kind: Optional[str], rows: List[List[str]]) -> bool:
    """A 绩效 form (label | value pairs on a row, not a grid of columns): by its title, or, when
    the title names no kind, by its indicator block."""
    if kind is not None:
        return kind in FORM_KINDS
    return any(FORM_LABEL_RE.match("".join(c.split())) for r in rows for c in r)


def _form_header_rows(rows: List[List[str]]) -> int:
    """The header band of a form is its first label rows: it ends at the first row holding a
    figure of any kind (资金总额 5 | 5 | 0 | 100, 人员编制数 44) — a form's values are often
    integers, which the grid rule (amounts with decimals) does not see."""
    for i, r in enumerate(rows):
        if any(looks_numeric(c) for c in r):
            return i
    return len(rows)


def _amount_text(c: str) -> bool:
    return looks_numeric(c) and ("." in c or "," in c)


def _values_only(r: List[str]) -> List[int]:
    filled = [j for j, c in enumerate(r) if c.strip()]
    return filled if filled and all(_amount_text(r[j]) for j in filled) else []


def _labels_only(r: List[str]) -> List[int]:
    filled = [j for j, c in enumerate(r) if c.strip()]
    return filled if filled and not any(_amount_text(r[j]) for j in filled) else []


def _merge_value_subrows(rows: List[List[str]], pages: List[int]):
    """A label row next to a row holding only amounts in the label row's empty cells
    (right of the labels) is one printed row cut in two by the drawing (rect-drawn grids
    put the amount on its own strip, above or below the label)."""
    out, out_pages = [], []
    i = 0
    while i < len(rows):
        r = list(rows[i])
        if i + 1 < len(rows):
            nxt = rows[i + 1]
            a, b = _labels_only(r), _values_only(nxt)
            c, d = _values_only(r), _labels_only(nxt)
            if (a and b and min(b) > max(a)) or (c and d and min(c) > max(d)):
                out.append([x if x.strip() else y for x, y in zip(r, nxt)])
                out_pages.append(pages[i])
                i += 2
                continue
        out.append(r)
        out_pages.append(pages[i])
        i += 1
    return out, out_pages


def _columns(header: List[List[str]], masks: List[List[bool]], n: int) -> List[str]:
    cols = []
    for j in range(n):
        parts: List[str] = []
        for hr, hm in zip(header, masks):
            txt = hr[j] if j < len(hr) else ""
            if not txt and j < len(hm) and hm[j]:
                # covered by a merged cell: take the text of the cell spanning from the left
                k = j
                while k > 0 and hm[k] and not hr[k]:
                    k -= 1
                txt = hr[k]
            txt = "".join(txt.split())
            if txt and txt not in parts and not re.fullmatch(r"\d+|栏次|行次", txt):
                parts.append(txt)
        cols.append("/".join(parts) if parts else f"列{j + 1}")
    return cols


def _find_title(lt: LogicalTable) -> Tuple[Optional[str], Optional[str], Optional[str], Optional[str]]:
    """(title, label, unit, department) from the lines above the table."""
    title = label = unit = dept = None
    lines = [ln for ln in lt.before if not is_page_furniture(ln.text)]
    for ln in lines[-8:]:
        t = ln.text.strip()
        m = UNIT_RE.search(t)
        if m:
            unit = m.group(1)
        m = DEPT_RE.search(t)
        if m and "单位：" not in m.group(1):
            dept = m.group(1).strip()
        m = LABEL_RE.match(t.replace(" ", ""))
        if m and len(t.replace(" ", "")) <= 12:
            label = m.group(1)
    window = lines[-8:]
    for k in range(len(window) - 1, -1, -1):
        t = window[k].text.strip()
        if UNIT_RE.search(t) and not classify.TITLE_HINT_RE.search(t):
            continue
        if (classify.TITLE_HINT_RE.search(t) and len(t) < 80 and not t.startswith(("注", "说明", "备注"))
                and not re.search(r"[，。；,;]", t)):  # a sentence of the narrative is not a title
            title = re.sub(r"\s*(单\s*位\s*[:：].*)$", "", t)
            # a title wrapped over two lines: "“三公”经费、会议费、培训费" / "支出预算表"
            if len(title) < 12 and k > 0:
                prev = window[k - 1].text.strip()
                if (prev and len(prev) < 60 and not UNIT_RE.search(prev) and not DEPT_RE.search(prev)
                        and not classify.TITLE_HINT_RE.search(prev) and not re.match(r"^第[一二三四五六七八九十]+部分", prev)
                        and not re.fullmatch(r"(预算公开表\s*\d+|公开\s*\d+\s*表|表[一二三四五六七八九十]+)[:：]?",
                                             prev.replace(" ", ""))
                        and not re.search(r"[。；]$", prev)
                        and abs(window[k - 1].page - window[k].page) == 0):
                    title = prev + title
            break
    return title, label, unit, dept


def _table_from_logical(lt: LogicalTable) -> Table:
    title, label, unit, dept = _find_title(lt)
    rows = [list(r) for r in lt.rows]
    masks = [list(m) for m in lt.merged_mask]
    pages = list(lt.row_pages)
    # drop rows and columns that hold nothing at all (rect-drawn grids have many)
    keep_r = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
    rows = [rows[i] for i in keep_r]
    masks = [masks[i] for i in keep_r]
    pages = [pages[i] for i in keep_r]
    if rows:
        keep_c = [j for j in range(len(rows[0])) if any(r[j].strip() for r in rows)]
        rows = [[r[j] for j in keep_c] for r in rows]
        masks = [[m[j] for j in keep_c] for m in masks]
    # a title / department / unit printed inside the grid (some exports put them in the first rows)
    while rows:
        nonempty = [c for c in rows[0] if c.strip()]
        joined = " ".join(nonempty)
        is_title = len(nonempty) == 1 and classify.TITLE_HINT_RE.search(joined[:60])
        is_meta = all(UNIT_RE.search(c) or DEPT_RE.search(c) or re.match(r"^(公开|预算公开表|部门公开表)\s*\d+", c)
                      for c in nonempty) or (any(UNIT_RE.search(c) for c in nonempty)
                                             and all(UNIT_RE.search(c) or len(c) <= 3 for c in nonempty)) or (
            any(re.match(r"^(部门|单位|预算单位)(名称)?\s*[:：]", c) for c in nonempty)
            and len(nonempty) <= 4 and not any(looks_numeric(c) for c in nonempty))
        if is_title or is_meta:
            m = UNIT_RE.search(joined)
            if m:
                unit = unit or m.group(1)
            m = DEPT_RE.search(joined)
            if m:
                dept = dept or m.group(1).strip()
            elif is_meta and not is_title:
                k = next((i for i, c in enumerate(nonempty) if re.match(r"^(部门|预算单位)(名称)?\s*[:：]\s*$", c)), None)
                if k is not None and k + 1 < len(nonempty) and not UNIT_RE.search(nonempty[k + 1]):
                    dept = dept or nonempty[k + 1].strip()
            if is_title:
                head = re.split(r"(?:部门(?:名称)?|单位名称|预算单位)\s*[:：]|金额单位|单\s*位\s*[:：]", joined)[0].strip()
                if head and (classify.kind_from_title(head) or not title or not classify.kind_from_title(title)):
                    title = head[:80]
            rows, masks, pages = rows[1:], masks[1:], pages[1:]
            continue
        break
    n = len(rows[0]) if rows else 0
    h = _header_rows(rows)
    if _is_form(classify.kind_from_title(title or ""), rows):
        h = min(h, _form_header_rows(rows))
    header, body = rows[:h], rows[h:]
    body, body_pages = _merge_value_subrows(body, pages[h:])
    pages = pages[:h] + body_pages
    columns = _columns(header, masks[:h], n)
    kind = classify.kind_from_title(title or "")
    if kind is None:
        kind = classify.kind_from_columns(" ".join(columns)) or "other"
    empty = bool(EMPTY_RE.search("".join("".join(r) for r in rows))) or any(
        EMPTY_RE.search(t.text) for t in lt.after[:2]
    )
    body_rows = []
    for r, pg in zip(body, pages[h:]):
        if EMPTY_RE.search("".join(r)) and not any(looks_numeric(c) for c in r):
            continue
        cells = [Cell(text=c, value=parse_amount(c), page=pg) for c in r]
        body_rows.append(Row(cells=cells, page=pg))
    t = Table(
        kind=kind,
        title=title or "",
        header=header,
        rows=body_rows,
        columns=columns,
        label=label,
        unit=unit,
        pages=lt.pages,
        empty=empty and not any(c.value for r in body_rows for c in r.cells),
    )
    _annotate_rows(t)
    t.note = dept  # department as printed above this table (used for the document)
    return t


def _code_columns(t: Table) -> List[int]:
    """Columns holding (possibly split) codes."""
    cols = [j for j, c in enumerate(t.columns) if CODE_HEAD_RE.search(c)]
    hdr_last = t.header[-1] if t.header else []
    split = [j for j, c in enumerate(hdr_last) if "".join(c.split()) in ("类", "款", "项")]
    if len(split) >= 2:
        return split
    if cols:
        return cols[:1]
    # no header saying so: the first column if most of its non-blank cells are codes
    if t.rows and t.n_cols >= 2:
        first = [r.cells[0].text for r in t.rows if r.cells and r.cells[0].text.strip()]
        if first and sum(_is_code_cell(x) for x in first) >= max(2, len(first) * 0.6):
            return [0]
    return []


def _annotate_rows(t: Table) -> None:
    ccols = _code_columns(t)
    name_col = None
    for j, c in enumerate(t.columns):
        if "名称" in c and j not in ccols:
            name_col = j
            break
    if name_col is None:
        name_col = (max(ccols) + 1) if ccols else 0
    if name_col >= t.n_cols:
        name_col = 0
    first_amount = None
    for j in range(t.n_cols):
        if j in ccols or j == name_col:
            continue
        if any(r.cells[j].value is not None for r in t.rows if j < len(r.cells)):
            first_amount = j
            break
    for r in t.rows:
        nm = r.cells[name_col].text.strip() if name_col < len(r.cells) else ""
        r.name = nm or next((c.text.strip() for c in r.cells if c.text.strip() and c.value is None), None)
        first = "".join((r.cells[0].text if r.cells else "").split())
        r.is_total = bool(TOTAL_RE.match(first)) or bool(r.name and TOTAL_RE.match("".join(r.name.split())))
    # codes, line numbers (行次/栏次) and names are not amounts
    non_amount = set(ccols)
    name_texts = [r.cells[name_col].text for r in t.rows if name_col < len(r.cells) and r.cells[name_col].text.strip()]
    if sum(1 for x in name_texts if not looks_numeric(x)) >= len(name_texts) / 2:
        non_amount.add(name_col)  # a name column; a column of amounts in first place stays amounts
    non_amount |= {j for j, c in enumerate(t.columns) if re.search(r"行次|栏次|序号|编码|代码", c)}
    if t.rows and t.n_cols > 2:
        for j in range(t.n_cols):
            vals = [r.cells[j].text for r in t.rows if j < len(r.cells) and r.cells[j].text.strip()]
            if vals and all(re.fullmatch(r"\d{1,2}", "".join(v.split())) for v in vals) and len(vals) >= 3 and (
                    sorted(int(v) for v in vals) == list(range(min(int(v) for v in vals), min(int(v) for v in vals) + len(vals)))):
                non_amount.add(j)  # a running line number column
    if t.kind.startswith("p_"):
        # a 绩效 form pairs label | value on one row: its "columns" are positions, not fields, so a
        # column holding figures is not a name, code or line-number column (621.43 under 单位名称/
        # 收入合计; 资金 5 under 项目名称 — a form's amounts are often integers)
        non_amount -= {j for j in non_amount if any(
            j < len(r.cells) and looks_numeric(r.cells[j].text) for r in t.rows)}
    for r in t.rows:
        for j in non_amount:
            if j < len(r.cells):
                r.cells[j].value = None
    if not ccols:
        return
    if len(ccols) >= 2:
        # 类 | 款 | 项 printed in columns of their own: the column says the level
        full: List[Optional[str]] = []
        cls = seg = None
        for r in t.rows:
            ps = [(codes.code_text(r.cells[j].text) or "") for j in ccols[:3]] + [""] * (3 - len(ccols[:3]))
            c, k, x = ps
            if c and len(c) == 3:
                cls, seg = c, None
            if k and len(k) == 2 and cls:
                seg = k
            if x and len(x) == 2 and cls and seg:
                full.append(cls + seg + x)
            elif k and cls:
                full.append(cls + k)
            elif c:
                full.append(c)
            else:
                full.append(None)
    else:
        pieces = [r.cells[ccols[0]].text for r in t.rows]
        names = [r.name for r in t.rows]
        first_amount = next((j for j in range(t.n_cols) if j not in non_amount and any(
            j < len(r.cells) and r.cells[j].value is not None for r in t.rows)), None)
        amounts = [r.cells[first_amount].value if first_amount is not None else None for r in t.rows]
        full = codes.rebuild_codes(pieces, names, amounts)
    for r, c in zip(t.rows, full):
        if c and not r.is_total:
            r.code = c
            r.level = codes.level_of(c)


def _guess_department(raw: RawDocument, tables: List[Table]) -> Optional[str]:
    for t in tables:
        if t.note:
            t.note = re.sub(r"[\[【(（](部门|单位)[\]】)）]$", "", t.note).strip()
    cands = Counter(t.note for t in tables if t.note)
    if cands:
        return cands.most_common(1)[0][0]
    def plausible(name: str) -> bool:
        return len(re.findall(r"[\u4e00-\u9fff]", name)) >= 4 and not re.match(r"^[一二三四五六七八九十\d]+[、.]", name)

    texts = [b.text.strip() for b in raw.blocks[:15] if isinstance(b, TextLine)]
    texts += [t.title for t in tables[:6] if t.title]
    for t in texts:
        t = re.sub(r"^([一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)\s*", "", t)
        m = re.match(r"^(.{2,40}?)(20\d{2})\s*年", t)
        if m and plausible(m.group(1).strip()):
            return m.group(1).strip()
        m = re.match(r"^(20\d{2})\s*年度?\s*(.{4,30}?)(?:部门|单位)?(?:预算|决算|一般公共|收支|支出|收入|财政拨款|“三公”)", t)
        if m and plausible(m.group(2).strip()):
            return m.group(2).strip()
    for b in raw.blocks[:15]:
        if isinstance(b, TextLine):
            t = b.text.strip()
            if re.search(r"(办公室|厅|局|委员会|院|办|会|部)$", t) and len(t) <= 30 and not re.search(r"\d", t):
                return t
    return None


def _guess_year(raw: RawDocument, tables: List[Table]) -> Optional[int]:
    years = Counter()
    for t in tables:
        for y in YEAR_RE.findall(t.title or ""):
            years[int(y)] += 2
    for b in raw.blocks[:40]:
        if isinstance(b, TextLine):
            for y in YEAR_RE.findall(b.text):
                years[int(y)] += 1
    if not years:
        return None
    return years.most_common(1)[0][0]


def _doubt_reading(doc: Document, lines: List[TextLine]) -> None:
    """Say so when the document's identity or its narrative could not be read: its narrative
    findings (and the year-on-year comparisons) would otherwise go silently unchecked."""
    narrative = [ln for ln in lines if NARRATIVE_LINE_RE.search("".join(ln.text.split()))]
    # figures printed outside the tables (a blank template's narrative has none)
    figures = sum(len(FIGURE_RE.findall(ln.text)) for ln in lines)
    if len(narrative) >= NARRATIVE_MIN_LINES and figures >= NARRATIVE_MIN_LINES and not doc.claims:
        doc.doubt("no-claims", f"{len(narrative)} narrative lines speak of 万元 but no claim (amount of a subject) "
                  "was read from them; the narrative is not checked against the tables",
                  page=narrative[0].page)
    # a whole disclosure (a narrative, or several tables) names its year and department; a lone
    # table cut out of one need not
    if not narrative and len(doc.tables) < DISCLOSURE_MIN_TABLES:
        return
    if doc.year is None:
        doc.doubt("no-year", "no year (20xx年) found in the titles or the first lines")
    if doc.department is None:
        doc.doubt("no-department", "no department name found above the tables or in the first lines")


def build_document(raw: RawDocument) -> Document:
    logical = group_tables(raw)
    tables = [t for t in (_table_from_logical(lt) for lt in logical if lt.rows) if t.rows or t.header]
    # tables with no title and kind "other" directly after a table of the same width: a
    # continuation the geometry did not catch is left as is (kept as "other", not dropped)
    units = Counter(t.unit for t in tables if t.unit)
    unit = units.most_common(1)[0][0] if units else None
    kinds = [t.kind for t in tables]
    doc = Document(
        department=_guess_department(raw, tables),
        year=_guess_year(raw, tables),
        kind=classify.doc_kind_of(kinds, [t.title for t in tables]),
        unit=unit,
        source=raw.source,
        tables=tables,
        n_pages=raw.n_pages,
    )
    for t in tables:
        if t.unit is None and t.kind[0] in "bf":
            t.unit = unit
        elif t.unit is None and t.kind.startswith("p"):
            # 绩效 forms state their unit in a label: 项目资金（元）, 资金总额（万元）
            text = "".join("".join(r) for r in t.grid())
            m = re.search(r"[（(](万元|元)[）)]", text)
            if m:
                t.unit = m.group(1)
    # page numbers would glue onto the sentence running over the page break ("增长3" + "17.31%")
    lines = [b for b in raw.blocks if isinstance(b, TextLine) and not is_page_furniture(b.text)]
    doc.claims = extract_claims(lines)
    _doubt_reading(doc, lines)
    doc.warnings.extend(raw.warnings)
    if unit is None:
        doc.warnings.append("no unit line (单位：万元) found; amounts are left as printed")
    if not tables:
        doc.warnings.append("no ruled table found in the PDF")
    return doc
