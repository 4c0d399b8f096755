"""Where everything sits in a kpi-xl workbook, in English and 繁體中文.

One place for sheet names, Excel Table names, column headers and the words in
drop-downs, so the template builder, the refresh (live and headless) and the
share copy agree. Excel Table names stay ASCII in both languages (Deals,
Orders...); sheet names and headers follow the workbook's language.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("en", "zh-TW")

#: Sheet keys in workbook order (data sheets come after Functions).
SHEETS = ("start", "goals", "scorecard", "dashboard", "history", "okr", "rewards", "settings", "functions")
DATA = ("Deals", "Subscriptions", "Orders", "Marketing", "Activities", "Tickets", "Web")
#: Sheets refresh rewrites (a region of them: see OWNED_REGIONS); everything else is the user's.
OWNED = ("scorecard", "history", "okr", "rewards", "chartdata")

SHEET_NAMES = {
    "en": {"start": "Start", "goals": "Goals", "scorecard": "Scorecard", "dashboard": "Dashboard",
           "history": "History", "okr": "OKR", "rewards": "Rewards", "settings": "Settings",
           "functions": "Functions", "chartdata": "Chart data",
           "Deals": "Deals", "Subscriptions": "Subscriptions", "Orders": "Orders", "Marketing": "Marketing",
           "Activities": "Activities", "Tickets": "Tickets", "Web": "Web"},
    "zh-TW": {"start": "開始", "goals": "目標", "scorecard": "計分卡", "dashboard": "儀表板",
              "history": "歷史紀錄", "okr": "OKR", "rewards": "獎勵", "settings": "設定",
              "functions": "函數", "chartdata": "圖表資料",
              "Deals": "商機", "Subscriptions": "訂閱", "Orders": "訂單", "Marketing": "行銷",
              "Activities": "業務活動", "Tickets": "客服工單", "Web": "網站流量"},
}

#: Data table columns: English header → 繁體中文 header.
DATA_COLUMNS_ZH = {
    "Deal ID": "商機編號", "Date": "日期", "Owner": "負責人", "Region": "區域", "Customer": "客戶",
    "Stage": "階段", "Won": "成交", "Closed": "結案", "Value": "金額", "Term years": "合約年數",
    "One-time fee": "一次性費用", "Month": "月份", "Plan": "方案", "Customers at start": "期初客戶數",
    "New customers": "新客戶數", "Churned customers": "流失客戶數", "Customers at end": "期末客戶數",
    "Starting MRR": "期初MRR", "New MRR": "新增MRR", "Expansion MRR": "擴充MRR", "Contraction MRR": "縮減MRR",
    "Churned MRR": "流失MRR", "Order ID": "訂單編號", "Channel": "通路", "Amount": "金額", "Cost": "成本",
    "Spend": "花費", "Impressions": "曝光數", "Clicks": "點擊數", "Leads": "潛在客戶", "MQL": "MQL", "SQL": "SQL",
    "Type": "類型", "Ticket ID": "工單編號", "Created": "建立時間", "First response": "首次回應",
    "Resolved": "解決時間", "Agent": "客服人員", "Rating": "滿意度評分", "NPS": "NPS",
    "Source": "來源", "Sessions": "工作階段", "Pageviews": "瀏覽頁數", "Bounces": "跳出", "Conversions": "轉換",
}

from ..goals.model import CHOICES, GOAL_HEADERS  # noqa: E402  (the engine's own bilingual vocabulary)

SMART_HEADER = ("SMART check", "SMART 檢查")


@dataclass(frozen=True)
class Region:
    """Columns first..last (1-based) from ``top_row`` down are written by refresh."""

    sheet: str
    top_row: int
    first_col: int
    last_col: int


SCORECARD_COLUMNS = (
    ("id", "ID", "編號"), ("name", "Goal", "目標"), ("owner", "Owner", "負責人"), ("kpi", "KPI", "KPI"),
    ("unit", "Unit", "單位"), ("actual", "Actual", "實際值"), ("target", "Target", "目標值"),
    ("expected", "Expected by now", "目前應達"), ("achievement", "Achievement", "達成率"), ("pace", "Pace", "進度節奏"),
    ("forecast", "Forecast", "期末預測"), ("chance", "Chance to meet", "達標機率"), ("status_label", "Status", "狀態"),
    ("rule", "Why", "判定依據"), ("level", "Level", "層級"), ("parent", "Parent", "上層目標"),
    ("smart", "SMART check", "SMART 檢查"), ("note", "Check-in note", "檢討備註"),
)
HISTORY_COLUMNS = (
    ("period", "Period", "期間"), ("as_of", "As of", "資料日期"), ("id", "ID", "編號"), ("name", "Goal", "目標"),
    ("owner", "Owner", "負責人"), ("actual", "Actual", "實際值"), ("target", "Target", "目標值"),
    ("achievement", "Achievement", "達成率"), ("pace", "Pace", "進度節奏"), ("forecast", "Forecast", "期末預測"),
    ("status", "Status", "狀態"), ("note", "Check-in note", "檢討備註"),
)
KR_COLUMNS = (
    ("objective", "Objective", "目標（O）"), ("key_result", "Key result", "關鍵結果（KR）"), ("owner", "Owner", "負責人"),
    ("start_value", "Start", "起始值"), ("target_value", "Target", "目標值"), ("current_value", "Current", "目前值"),
    ("score", "Score (if judged)", "評分（自評）"), ("weight", "Weight", "權重"), ("goal", "Related goal", "相關目標"),
)
KR_OUT_COLUMNS = (
    ("score", "KR score", "KR 分數"), ("grade", "Grade", "評等"), ("goal_achievement", "Goal achievement", "目標達成率"),
    ("goal_status", "Goal status", "目標狀態"),
)
OBJECTIVE_COLUMNS = (
    ("objective", "Objective", "目標（O）"), ("owner", "Owners", "負責人"), ("key_results", "Key results", "KR 數"),
    ("score", "Objective score", "O 分數"), ("grade", "Grade", "評等"),
    ("goal_achievement", "Related goals' achievement", "相關目標達成率"),
)
PLAN_COLUMNS = (
    ("plan", "Plan", "方案"), ("threshold", "Threshold", "門檻"), ("accelerator", "Accelerator", "加速倍數"),
    ("cap", "Cap", "上限"), ("target_bonus", "Target bonus", "目標獎金"), ("reward", "Non-monetary reward", "非金錢獎勵"),
)
PAYOUT_COLUMNS = (
    ("owner", "Owner", "負責人"), ("plan", "Plan", "方案"), ("goals", "Goals", "目標"),
    ("achievement", "Weighted achievement", "加權達成率"), ("payout_fraction", "Payout %", "發放比例"),
    ("payout", "Payout now", "目前獎金"), ("projected_payout", "Projected payout", "預估獎金"),
    ("reward", "Non-monetary reward", "非金錢獎勵"), ("reward_earned", "Earned", "已達成"),
)
RULE_COLUMNS = (("status", "Status", "狀態"), ("measure", "Measure", "指標"), ("at_least", "At least", "至少"))
SETTING_KEYS = (
    ("company", "Company", "公司名稱"), ("as_of", "As-of date (blank = today)", "資料日期（空白 = 今天）"),
    ("language", "Language", "語言"), ("review_period", "Review period", "檢討週期"),
)


def header(columns: tuple, lang: str) -> list[str]:
    """Headers of a column spec in ``lang``."""
    i = 1 if lang == "en" else 2
    return [c[i] for c in columns]


def sheet(key: str, lang: str) -> str:
    return SHEET_NAMES[lang][key]


def data_header(name: str, lang: str) -> str:
    return name if lang == "en" else DATA_COLUMNS_ZH.get(name, name)

