"""One-off: build kpi_xl/locale/zh_TW/LC_MESSAGES/kpi_xl.po from the hand-written tables.

Ran once from the project root at e32ba01 plus the edits of this commit (kept in history only).
Every entry: (msgctxt, English msgid, zh-TW msgstr, comment). Two tables giving one
(context, msgid) two translations is an error: give them different contexts.
"""
import io
import re
import sys
from collections import OrderedDict

sys.path.insert(0, "tools")
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from kpi_xl import labels, locale_zh_tw
from kpi_xl.functions import catalog, registry
from kpi_xl.goals import model
from kpi_xl.workbook import layout, template

entries: "OrderedDict[tuple, list]" = OrderedDict()


def add(ctx, en, zh, comment=""):
    if not en or zh is None:
        return
    key = (ctx, en)
    if key in entries:
        old = entries[key]
        if old[0] != zh:
            raise SystemExit(f"conflict {key!r}: {old[0]!r} vs {zh!r} ({old[1]} / {comment})")
        if comment and comment not in old[1]:
            old[1].append(comment)
        return
    entries[key] = [zh, [comment] if comment else []]


# --- worksheet functions
Z = locale_zh_tw.FUNCTIONS
for f in catalog.functions():
    z = Z[f.name]
    add("function title", f.name, z["title"], f"{f.name}: short name for tables and headings")
    add(None, f.summary, z["summary"], f"{f.name}: description (Excel's function wizard, at most 255 characters)")
    for a in f.arguments:
        add(None, a.doc, z["args"][a.name], f"{f.name}: argument {a.name}")
    for section in ("Units", "Convention", "Errors"):
        zh = z.get(section.lower())
        en = f.sections.get(section)
        if zh and not en:
            raise SystemExit(f"{f.name}: zh {section} without English")
        if en and not zh:
            print(f"note: {f.name} {section} has no translation", file=sys.stderr)
        add(None, en, zh, f"{f.name}: {section} section of the docstring")
    assert set(z["args"]) == {a.name for a in f.arguments}, f.name
for group in registry.groups():
    add("function group", group, locale_zh_tw.UI[group], "group of worksheet functions")
for en, zh in locale_zh_tw.UI.items():
    if en in registry.groups():
        continue
    add("docs", en, zh, "label in the function reference")
add("docs", catalog.DOCS_INTRO,
    "共 {n} 個函數，位於 Excel 的 **KPI** 類別。每個函數都接受單一儲存格或範圍；"
    "空白儲存格會略過；輸入有誤時傳回 Excel 錯誤值（#DIV/0!、#VALUE!、#NUM!、#N/A），"
    "不會出現 Python 錯誤。逐列計算的函數在輸入相同大小的範圍時，傳回同樣形狀的範圍（自動溢出）。"
    "比率以小數表示：請將儲存格格式設為百分比（0.03 顯示為 3%）。", "first paragraph of the function reference")
add("docs", catalog.DOCS_NATIVE, "以下 KPI 不需要 kpi-xl 函數，Excel 內建公式就能做得很好。",
    "first line of the native-formula section")
add("punctuation", ":", "\uff1a", "a colon after a label")
add("docs", " ({optional})", "\uff08{optional}\uff09", "after an optional argument's name")

# --- status words
for key, en in labels.STATUS["en"].items():
    add("status", en, labels.STATUS["zh-TW"][key], f"goal status {key}")

# --- workbook: sheets, data columns, headers
for key, en in layout.SHEET_NAMES["en"].items():
    add("sheet", en, layout.SHEET_NAMES["zh-TW"][key], f"sheet name ({key})")
for en, zh in layout.DATA_COLUMNS_ZH.items():
    add("column", en, zh, "column header of a data table")
for spec in ("SCORECARD_COLUMNS", "HISTORY_COLUMNS", "KR_COLUMNS", "KR_OUT_COLUMNS", "OBJECTIVE_COLUMNS",
             "PLAN_COLUMNS", "PAYOUT_COLUMNS", "RULE_COLUMNS"):
    for key, en, zh in getattr(layout, spec):
        add("header", en, zh, f"{spec.split('_')[0].lower()} column {key}")
add("header", layout.SMART_HEADER[0], layout.SMART_HEADER[1], "Goals sheet: the SMART verdict column")
add("header", "Setting", "\u8a2d\u5b9a", "Settings sheet")
add("header", "Value", "\u503c", "Settings sheet")
for key, en, zh in layout.SETTING_KEYS:
    add("setting", en, zh, f"Settings sheet: {key}")
for key, (en, zh) in model.GOAL_HEADERS.items():
    add("goals column", en, zh, f"Goals sheet: column {key} (typed by people: any language's word is read)")
for col, opts in model.CHOICES.items():
    for key, (en, zh) in opts.items():
        add(col, en, zh, f"drop-down word of the Goals {col} column (any language's word is read)")

# --- template texts
T_en, T_zh = template.TEXT["en"], template.TEXT["zh-TW"]
for k, en in T_en.items():
    zh = T_zh[k]
    if isinstance(en, str):
        add(None, en, zh, f"template: {k}")
    elif isinstance(en, dict):
        for kk, e in en.items():
            add(None, e, zh[kk], f"template: Start sheet, what the {kk} sheet is for")
    else:
        for e, z in zip(en, zh):
            add(None, e, z, f"template: {k}")
add("font", "Calibri", "Noto Sans CJK TC", "the workbook's font: one that has this language's characters")
add("language", "English", "\u7e41\u9ad4\u4e2d\u6587", "this language's own name (accepted as a language setting)")

cat = Catalog(locale="zh_TW", domain="kpi_xl")
for (ctx, en), (zh, comments) in entries.items():
    if (ctx, en) == ("status", "Achieved"):
        continue  # already in the file
    cat.add(en, zh, context=ctx, auto_comments=comments)
buf = io.BytesIO()
write_po(buf, cat, width=100, omit_header=True, no_location=True)
block = buf.getvalue().decode()
path = "kpi_xl/locale/zh_TW/LC_MESSAGES/kpi_xl.po"
text = open(path, encoding="utf-8").read()
head, sep, tail = text.partition('\nmsgctxt "status"\nmsgid "Achieved"')
assert sep
open(path, "w", encoding="utf-8").write(head + "\n" + block.strip("\n") + "\n" + sep + tail)
print(len(entries), "entries")
