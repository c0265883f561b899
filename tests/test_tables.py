"""Span-aware grids: every cell keeps its column."""

from lxml import html

from harvester.tables import is_layout_table, table_grid

APPLICATIONS_HEADER = """
<table class="MsoNormalTable">
 <tr><td colspan="3" rowspan="2"><p>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</p></td>
     <td colspan="7"><p>申请人情况</p></td></tr>
 <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
 <tr><td></td><td></td><td></td>
     <td>商业<br>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
 <tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
     <td><p class=MsoNormal><span>&nbsp;1,234&nbsp;</span><o:p></o:p></p></td>
     <td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1,234</td></tr>
 <tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>
     <td>5</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>5</td></tr>
 <tr><td rowspan="1">（三）不予公开</td><td>1.属于国家秘密</td>
     <td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
</table>"""


def grid_of(markup: str):
    return table_grid(html.fragment_fromstring(markup.strip()))


def test_every_row_has_the_grid_width_and_spans_are_recorded():
    grid = grid_of(APPLICATIONS_HEADER)
    assert grid.width == 10
    assert {len(row) for row in grid.rows} == {10}
    assert [0, 0, 2, 3] in grid.spans  # the 勾稽关系 note covers 2 rows × 3 columns


def test_cells_keep_their_columns_under_rowspan_and_colspan():
    grid = grid_of(APPLICATIONS_HEADER)
    assert grid.rows[1][3] == "自然人" and grid.rows[1][9] == "总计"
    assert grid.rows[2][3] == "" and grid.rows[2][4] == "商业企业"  # under 自然人's rowspan
    assert grid.rows[3][:4] == ["一、本年新收政府信息公开申请数量", "", "", "1,234"]
    assert grid.rows[5][0] == "" and grid.rows[5][1] == "（三）不予公开"  # under 三、's rowspan
    assert grid.lines()[4] == "三、本年度办理结果 | （一）予以公开 |  | 5 | 0 | 0 | 0 | 0 | 0 | 5"


def test_word_paste_cells_are_normalised_and_numbers_kept_exactly():
    grid = grid_of(APPLICATIONS_HEADER)
    assert "1,234" in grid.rows[3] and "\xa0" not in "".join(grid.lines())


def test_empty_rows_are_dropped_and_a_bar_in_a_cell_cannot_split_it():
    grid = grid_of("<table><tr><td>a|b</td><td>1</td></tr><tr><td> </td><td>&nbsp;</td></tr></table>")
    assert grid.lines() == ["a｜b | 1"]


def test_nested_and_layout_tables():
    outer = html.fragment_fromstring(
        '<table width="1000"><tr><td><div><p>x</p></div>'
        "<table><tr><td>规章</td><td>1</td></tr></table></td></tr></table>"
    )
    inner = outer.xpath(".//table")[0]
    assert is_layout_table(outer) and not is_layout_table(inner)
    one_column = html.fragment_fromstring("<table><tr><td>今天是：</td></tr><tr><td>x</td></tr></table>")
    assert is_layout_table(one_column)  # a box around content, not data
