"""Pure: raw blocks -> :class:`~xlbudget.model.Document`.

Stitched grids are split into header and body, classified, their amounts parsed
as Decimal, codes rebuilt with levels, and the narrative claims extracted.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Dict, List, Optional, Tuple, Union

from xlbudget import catalogue as classify
from xlbudget import codes
from xlbudget.read import diagnose
from xlbudget.model import Cell, Document, Line, Row, Table
from xlbudget.read.contents import read_contents
from xlbudget.read.narrative import extract_claims, extract_statements
from xlbudget.numbers import looks_numeric, parse_amount
from xlbudget.read.raw import Fragment, RawDocument, TextLine
from xlbudget.settings import StitchSettings
from xlbudget.read.stitch import LogicalTable, is_page_furniture, iter_tables
from xlbudget.vocabulary import EMPTY_TABLE_RE, LEVEL_NAMES, ORG_SUFFIX_RE, TOTAL_RE, UNIT_RE, YEAR_RE

DEPT_RE = re.compile(r"(?:部门名称|单位名称|预算部门|部门)\s*[:：]\s*([^\s:：]{2,40}?)(?:\s|单\s*位|金额单位|$)")
LABEL_RE = re.compile(r"^(预算公开表\s*\d+|公开\s*\d+\s*表|表[一二三四五六七八九十]+|附表\s*\d+|部门公开表\s*\d+)")
# a narrative sentence about money: 万元 in a clause ("…基本支出5377.64万元，占55.10%；"); a blank
# template's "XXX万元" is no figure
NARRATIVE_LINE_RE = re.compile(r"(?<![XＸx×*＊])万元\s*[，。；,;]|[，。；,;][^，。；,;]*(?<![XＸx×*＊])万元")
# this many such lines make a narrative (情况说明) whose claims the checks expect to read
NARRATIVE_MIN_LINES = 2
# a printed figure with decimals ("5377.64"): a filled narrative has them, a blank template not
FIGURE_RE = re.compile(r"\d\.\d{2}(?!\d)")
CODE_HEAD_RE = re.compile(r"编码|代码|科目编号|类款项")
# a title line this short without a title word is the wrapped tail of the line above ("表")
TITLE_TAIL_MAX = 3


def _is_code_cell(s: str) -> bool:
    return codes.code_text(s) is not None and len(codes.code_text(s)) in (2, 3, 5, 7)


_LINE_NO_RE = re.compile(r"\d{1,3}|栏次|行次|[A-Z]")


def _line_number_row(r: List[str]) -> bool:
    """A 栏次 row (1 | 2 | 3 …) belongs to the header band."""
    filled = ["".join(c.split()) for c in r if c.strip()]
    return bool(filled) and all(_LINE_NO_RE.fullmatch(c) for c in filled)


def _under_leaf(rows: List[List[str]], masks: List[List[bool]], i: int) -> bool:
    """Does row ``i`` print text under a column name that closes its column?

    A header row names what is below it: a group cell spanning several columns (merged, or
    with its row's next cells left blank) is refined by the row under it, a single column's
    name is not. Text below a single column's name is therefore the first body row, whether
    or not it carries an amount (a template without amounts, a unit list 序号 | 单位名称)."""
    r = rows[i]
    leaf = False
    for j, c in enumerate(r):
        if not c.strip():
            continue
        for k in range(i - 1, -1, -1):
            above = rows[k][j] if j < len(rows[k]) else ""
            if not above.strip():
                if k < len(masks) and j < len(masks[k]) and masks[k][j]:
                    return False  # covered by a merged cell: the row refines a group
                continue
            nxt = j + 1
            # a group: merged over the next column, or the next cell left blank with the
            # row below it naming both columns (a merge the drawing does not show)
            spans = nxt < len(rows[k]) and not rows[k][nxt].strip() and (
                (k < len(masks) and nxt < len(masks[k]) and masks[k][nxt])
                or (nxt < len(rows[k + 1]) and not _line_number_row(rows[k + 1])
                    and rows[k + 1][j].strip() != "" and rows[k + 1][nxt].strip() != ""))
            if spans:
                return False  # names under a group: the band goes on ("合计 | 基本支出 | 项目支出")
            leaf = leaf or not _line_number_row(rows[k])
            break
    return leaf


def _header_rows(rows: List[List[str]], masks: Optional[List[List[bool]]] = None) -> int:
    """Number of leading header rows: until the first row that carries data.

    A 合计 / 一、 row with no amount counts as data only when nothing else is printed in
    it ("合计 | 基本支出 | 项目支出" is a header of the wide layout, "合计 | | " an empty total).
    A row printing text under a single column's name is a body row too (see ``_under_leaf``).
    """
    for i, r in enumerate(rows):
        if masks is not None and i >= 1 and not _line_number_row(r) and _under_leaf(rows, masks, i):
            return i
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
        if EMPTY_TABLE_RE.search("".join(r)):
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


def _realign_body(rows: List[List[str]], masks: List[List[bool]], h: int):
    """Body cells drawn on other column rules than the header's: a body column whose header
    slot is covered by the name of the column to its left, next to a column that has a name of
    its own but whose body cells are all covered (the body's wide cells start left of the
    header's rule, "功能科目代码 | 功能科目名称" over "204 | 公共安全支出"), holds that named
    column's text. Returns (rows, masks) with such text moved under its name."""
    if h == 0 or not rows:
        return rows, masks
    rows = [list(r) for r in rows]
    masks = [list(m) for m in masks]
    n = len(rows[0])
    for j in range(1, n - 1):
        head_covered = all(not rows[k][j].strip() and masks[k][j] for k in range(h))
        own_name = any(rows[k][j + 1].strip() for k in range(h))
        body = range(h, len(rows))
        body_left = any(rows[b][j].strip() for b in body)
        body_free = all(not rows[b][j + 1].strip() and masks[b][j + 1] for b in body)
        if head_covered and own_name and body_left and body_free:
            for b in body:
                rows[b][j + 1], rows[b][j] = rows[b][j], ""
                masks[b][j + 1], masks[b][j] = masks[b][j], True
    keep = [j for j in range(n) if any(r[j].strip() for r in rows)]
    if len(keep) < n:  # the column left with nothing at all
        rows = [[r[j] for j in keep] for r in rows]
        masks = [[m[j] for j in keep] for m in masks]
    return rows, masks


def _close_groups(header: List[List[str]], masks: List[List[bool]]) -> List[List[bool]]:
    """Masks with each group's merge carried over the blank header cells after it that the
    drawing left out of the merge: a blank cell right of a group (a merged cell, or a name whose
    next cell is blank), heading a column named lower in the band, belongs to that group
    ("支出" over 项目 | 合计 | 当年预算安排 drawn without 上年结转安排; "功能分类科目" over
    科目编码 | 科目名称 drawn as two cells)."""
    out = [list(m) for m in masks]
    for k, (hr, hm) in enumerate(zip(header, out)):
        lower = [h for h in header[k + 1:] if not _line_number_row(h)]
        j = 0
        while j < len(hr):
            if not hr[j].strip():
                j += 1
                continue
            e = j + 1
            # a blank cell under a name of an upper row is that name running down, not the group's
            while e < len(hr) and not hr[e].strip() and (
                    hm[e] or (any(e < len(h) and h[e].strip() for h in lower)
                              and not any(e < len(h) and h[e].strip() for h in header[:k]))):
                e += 1
            # only a name the next band row refines is a group (a single column's name is not)
            if e > j + 1 and (hm[j + 1] or (lower and j < len(lower[0]) and lower[0][j].strip()
                                              and j + 1 < len(lower[0]) and lower[0][j + 1].strip())):
                for c in range(j + 1, e):
                    hm[c] = True
            j = e
    return out


def _columns(header: List[List[str]], masks: List[List[bool]], n: int, groups: bool = True) -> List[str]:
    if groups:
        masks = _close_groups(header, masks)
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
        if not parts and groups and j > 0 and header and cols[j - 1] != f"列{j}" and all(
                j < len(hr) and not hr[j].strip() for hr in header):
            # no name anywhere in the band: the name to its left spans it, merged or not
            # ("项目名称" over 一般公共预算资金 | 小计)
            cols.append(cols[j - 1])
            continue
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
        if (k > 0 and len(t) <= TITLE_TAIL_MAX and not classify.TITLE_HINT_RE.search(t)
                and window[k - 1].page == window[k].page and not UNIT_RE.search(window[k - 1].text)
                and classify.TITLE_HINT_RE.search(window[k - 1].text.strip() + t)):
            # the last characters of a title wrapped onto a line of their own ("…支出预算" / "表")
            title = window[k - 1].text.strip() + t
            break
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


def _cell(text: str, page: Optional[int], known: Dict[str, tuple]) -> Cell:
    """A body cell. Cells of equal text share one string and one amount (``known``: text ->
    (text, amount), one per document): a long document prints "0.00" thousands of times."""
    shared = known.get(text)
    if shared is None:
        shared = known[text] = (text, parse_amount(text))
    return Cell(text=shared[0], value=shared[1], page=page)


def _table_from_logical(lt: LogicalTable, doubts: Optional[list] = None,
                        known: Optional[Dict[str, tuple]] = None) -> Table:
    known = {} if known is None else known
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
    # 绩效 forms are label | value forms, not columns under names: the column-name band and
    # its groups are read for column tables only
    h = _header_rows(rows)
    title_kind = classify.kind_from_title(title or "")
    kind = title_kind or classify.kind_from_columns(" ".join(_columns(rows[:h], masks[:h], n, groups=False)))
    form = (kind or "").startswith("p") or _is_form(title_kind, rows)
    if form:
        h = min(h, _form_header_rows(rows))
    else:
        h = _header_rows(rows, masks)
    while h < len(rows) and _is_code_subheader(rows[h]):
        h += 1  # 类 | 款 | 项 under the code head is header, never body
    if not form:
        rows, masks = _realign_body(rows, masks, h)
        n = len(rows[0]) if rows else 0
    header, body = rows[:h], rows[h:]
    body, body_pages = _merge_value_subrows(body, pages[h:])
    pages = pages[:h] + body_pages
    columns = _columns(header, masks[:h], n, groups=not form)
    # the band and its groups are resolved now: the columns name the kind when the title does not
    kind = title_kind or classify.kind_from_columns(" ".join(columns)) or "other"
    empty = bool(EMPTY_TABLE_RE.search("".join("".join(r) for r in rows))) or any(
        EMPTY_TABLE_RE.search(t.text) for t in lt.after[:2]
    )
    body_rows = []
    for r, pg in zip(body, pages[h:]):
        if EMPTY_TABLE_RE.search("".join(r)) and not any(looks_numeric(c) for c in r):
            continue
        cells = [_cell(c, pg, known) for c in r]
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
    _annotate_rows(t, doubts)
    t.note = dept  # department as printed above this table (used for the document)
    return t


SPLIT_HEADS = tuple(LEVEL_NAMES[k] for k in sorted(LEVEL_NAMES))  # 类, 款, 项: the heads of a split code
# a 款 / 项 piece printed in a column of its own: two digits, zero-padded ("06", "01", "99")
PIECE_RE = re.compile(r"^\d{2}$")


def _is_code_subheader(r: List[str]) -> bool:
    """A row naming the split code columns: 类 | 款 | 项, or "类 款 项" printed in one cell."""
    filled = ["".join(c.split()) for c in r if c.strip()]
    return bool(filled) and all(re.fullmatch(r"[类款项]{1,3}", c) for c in filled) and len("".join(filled)) >= 2


def _pieces_fit(t: Table, run: List[int]) -> bool:
    """The body under ``run`` reads as 类 | 款 | 项: 3-digit (or full) codes in the first column,
    2-digit pieces in the others, and at least one of each."""
    pieces = heads = 0
    for r in t.rows:
        for k, j in enumerate(run):
            s = "".join(r.cells[j].text.split()) if j < len(r.cells) else ""
            if not s or not re.search(r"\d", s):
                continue
            if k == 0:
                if not re.fullmatch(r"\d{3}|\d{5}|\d{7}", s):
                    return False
                heads += 1
            else:
                if not PIECE_RE.match(s):
                    return False
                pieces += 1
    return heads > 0 and pieces > 0


def _code_columns(t: Table, doubts: Optional[list] = None) -> List[int]:
    """Columns holding (possibly split) codes."""
    # 类 | 款 | 项 heads in cells of their own, in any header row (a 栏次 row may follow them)
    for hr in t.header:
        split = [j for j, c in enumerate(hr) if "".join(c.split()) in SPLIT_HEADS]
        if len(split) >= 2:
            return split
    cols = [j for j, c in enumerate(t.columns) if CODE_HEAD_RE.search(c)]
    if cols:
        # one head ("功能分类科目编码", "类 款 项" in one cell) spanning the split code columns
        run = [cols[0]]
        for j in cols[1:]:
            if j == run[-1] + 1 and t.columns[j] == t.columns[cols[0]] and len(run) < len(SPLIT_HEADS):
                run.append(j)
        if len(run) >= 2 and _pieces_fit(t, run):
            return run
        return _headless_pieces(t, cols[:1], doubts)
    # no header saying so: the first column if most of its non-blank cells are codes
    if t.rows and t.n_cols >= 2:
        first = [r.cells[0].text for r in t.rows if r.cells and r.cells[0].text.strip()]
        if first and sum(_is_code_cell(x) for x in first) >= max(2, len(first) * 0.6):
            return _headless_pieces(t, [0], doubts)
    return []


def _headless_pieces(t: Table, cols: List[int], doubts: Optional[list]) -> List[int]:
    """The code column and, right of it, columns with no head of their own holding nothing but
    2-digit pieces: 款 | 项 printed under no head (a guess, so said as a doubt)."""
    run = list(cols)
    head = t.columns[cols[0]]
    for j in range(cols[0] + 1, min(cols[0] + len(SPLIT_HEADS), t.n_cols)):
        name = t.columns[j]
        if not (name == f"列{j + 1}" or CODE_HEAD_RE.search(name) or name == head or head.startswith(name + "/")):
            break
        run.append(j)
        if not _pieces_fit(t, run):
            run.pop()
            break
    if len(run) >= 2 and doubts is not None:
        doubts.append(("amount-in-code-column",
                       f"{t.title or t.kind}: column(s) {', '.join(str(j + 1) for j in run[1:])} have no code head "
                       "and hold only 2-digit numbers; read as 款/项 code pieces, not amounts",
                       t.rows[0].page if t.rows else None))
    return run


def _annotate_rows(t: Table, doubts: Optional[list] = None) -> None:
    ccols = _code_columns(t, doubts)
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
    # amounts printed under a code head are dropped below; said once the table proves to hold codes
    code_like = set(ccols) | {j for j, c in enumerate(t.columns) if CODE_HEAD_RE.search(c)}
    lost = [(r, j) for r in t.rows for j in sorted(code_like)
            if j < len(r.cells) and r.cells[j].value is not None and _amount_text(r.cells[j].text)]
    for r in t.rows:
        for j in non_amount:
            if j < len(r.cells):
                r.cells[j].value = None
    if not ccols:
        return
    if len(ccols) >= 2:
        # 类 | 款 | 项 printed in columns of their own: the column says the level
        full, bad = codes.rebuild_split_codes([[r.cells[j].text for j in ccols[:3]] for r in t.rows])
        if bad and doubts is not None:
            r0 = t.rows[bad[0]]
            doubts.append(("amount-in-code-column",
                           f"{t.title or t.kind}: {len(bad)} row(s) whose 类/款/项 digits form no code path "
                           f"(first: {' | '.join(r0.cells[j].text for j in ccols[:3])!r}); left without a code",
                           r0.page))
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
    if lost and doubts is not None and any(r.code for r in t.rows):
        doubts.append(("amount-in-code-column",
                       f"{t.title or t.kind}: {len(lost)} amount(s) printed under a code head "
                       f"(first: {lost[0][0].cells[lost[0][1]].text!r} in column {lost[0][1] + 1}); not read as amounts",
                       lost[0][0].page))


def _guess_department(raw: RawDocument, tables: List[Table]) -> Optional[str]:
    for t in tables:
        if t.note:
            t.note = re.sub(r"[\[【(（](部门|单位)[\]】)）]$", "", t.note).strip()
    cands = Counter(t.note for t in tables if t.note)
    if cands:
        return cands.most_common(1)[0][0]
    def plausible(name: str) -> bool:
        return len(re.findall(r"[\u4e00-\u9fff]", name)) >= 4 and not re.match(r"^[一二三四五六七八九十\d]+[、.]", name)

    texts = [_cover_title(raw)] + [b.text.strip() for b in raw.blocks[:15] if isinstance(b, TextLine)]
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
    # no cover text (a cover printed as an image): the name the narrative keeps opening its
    # sentences with, "江苏省政协办公厅 2019 年度收入、支出预算总计…", said at least twice
    named = Counter(m.group(1) for b in raw.blocks if isinstance(b, TextLine)
                    for m in [re.match(r"^(?:附件[:：])?(\S{4,30}?)\s*20\d{2}\s*年", b.text.strip())]
                    if m and plausible(m.group(1)) and ORG_SUFFIX_RE.search(m.group(1)))
    name, count = named.most_common(1)[0] if named else (None, 0)
    return name if count >= 2 else None


def _cover_title(raw: RawDocument) -> str:
    """The cover title, its lines joined: covers wrap a long department name before the year
    ("中共上海市普陀区委" / "社会工作部 2024 年度" / "部门决算")."""
    lines = []
    for b in raw.blocks:
        if not isinstance(b, TextLine) or b.page != 1:
            break
        lines.append(b.text.strip())
        if YEAR_RE.search(b.text):
            break
    return "".join(lines) if lines and YEAR_RE.search(lines[-1]) else ""


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
    if not narrative and len(doc.tables) < classify.DISCLOSURE_MIN_TABLES:
        return
    if doc.year is None:
        doc.doubt("no-year", "no year (20xx年) found in the titles or the first lines")
    if doc.department is None:
        doc.doubt("no-department", "no department name found above the tables or in the first lines")


# pdfminer's rendering of a glyph it cannot map to Unicode (a font without ToUnicode, or font
# strings left encrypted by an owner password)
_CID_GLYPH = re.compile(r"\(cid:\d+\)")
# a text layer is called undecodable when at least this share of its characters are such glyph codes
UNDECODABLE_SHARE = 0.5
UNDECODABLE_SLUG = "undecodable-text"


def undecodable_share(raw: RawDocument) -> float:
    """Share of the non-blank text characters of ``raw`` that are ``(cid:N)`` glyph codes."""
    total = coded = 0
    for b in raw.blocks:
        texts = [b.text] if isinstance(b, TextLine) else (
            [c for r in b.rows for c in r if c] if isinstance(b, Fragment) else [])
        for t in texts:
            t = "".join(t.split())
            total += len(t)
            coded += sum(len(m) for m in _CID_GLYPH.findall(t))
    return coded / total if total else 0.0


def build_document(raw: RawDocument, stitch: Union[None, StitchSettings, dict] = None) -> Document:
    doubts: list = []  # (slug, message, page) of what the parse was unsure about
    known: Dict[str, tuple] = {}
    # (header changes, table): each logical table assembled, built and let go in turn
    read = [(lt.header_changes, _table_from_logical(lt, doubts, known))
            for lt in iter_tables(raw, stitch) if lt.rows]
    tables = [t for _, t in read if t.rows or t.header]
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
    for slug, message, page in doubts:
        doc.doubt(slug, message, page=page)
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
    doc.statements = extract_statements(lines)
    doc.lines = [Line(b.page, b.text) for b in lines]
    doc.contents = read_contents(doc.lines)
    _doubt_reading(doc, lines)
    doc.warnings.extend(raw.warnings)
    for header_changes, t in read:
        for page, repeat in header_changes:
            doc.doubt("header-changed", f"{t.kind} {t.title}: the header repeated on page {page} differs from "
                      f"the first page's ({' | '.join(c for c in repeat[0] if c.strip())}); "
                      "those rows are read as body rows", page=page)
    if unit is None:
        doc.warnings.append("no unit line (单位：万元) found; amounts are left as printed")
    if not tables:
        doc.warnings.append("no ruled table found in the PDF")
    share = undecodable_share(raw)
    if share >= UNDECODABLE_SHARE:
        doc.doubt(UNDECODABLE_SLUG, f"{share:.0%} of the text layer reads as (cid:N) glyph codes: the text layer "
                  "cannot be decoded (font without a Unicode map, or encrypted strings); what was read is incomplete")
    doc.diagnostics.extend(diagnose.inspect(doc))
    return doc
