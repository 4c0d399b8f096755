"""Traditional Chinese (繁體中文, Taiwan usage) texts for kpi-xl's worksheet functions.

:data:`FUNCTIONS` holds, for every KPI in :mod:`kpi_xl.functions.registry` (keyed by
its Excel name):

* ``title``: a short Chinese name for tables and headings;
* ``summary``: the translation of the registry entry's description, the one line
  Excel's function wizard shows (at most 255 characters);
* ``args``: the translation of each argument's help line (its ``Range``/``Cell``/``Labels``
  annotation in :mod:`kpi_xl.metrics`), keyed by the
  argument's name;
* ``units``, ``convention``, ``errors``: translations of those sections of the core
  docstring in :mod:`kpi_xl.metrics` (a key is left out when the section is).

The ``Formula:`` and ``Source:`` sections are not translated: the reference shows
them from the English source. Excel error codes (#DIV/0!, #NUM!, #VALUE!, #N/A),
function names, formulas, argument names and the text options a cell takes
("month", "median"...) stay as they are.

:data:`UI` maps English interface words of the generated reference to Chinese.
Terms follow Taiwan business and Excel usage: 列 = row, 欄 = column, 儲存格 = cell,
工作階段 = session (as in Google Analytics), 工單 = support ticket.
"""

from __future__ import annotations

__all__ = ["FUNCTIONS", "UI"]

FUNCTIONS: dict[str, dict] = {
    # ------------------------------------------------------------------ SaaS
    "ACV": {
        "title": "平均年度合約價值",
        "summary": "平均年度合約價值：各合約（合約金額 − 一次性費用）/ 合約年數的平均值。",
        "args": {
            "contract_values": "每份合約的總金額（一份合約一個儲存格）。",
            "term_years": "每份合約的期限（年），或全部合約共用一個期限。預設為 1。",
            "one_time_fees": "合約金額中所含的一次性費用（建置費、導入費）。預設為 0。",
        },
        "units": "每年金額（與輸入相同幣別）。",
        "convention": "先扣除一次性費用（建置費、導入費），再把金額平均分攤到合約期間，因此 ACV 只計經常性價值。"
        "合約金額空白的合約不納入計算；期限空白視為 1 年，費用空白視為 0。",
        "errors": "期限為 0 或以下、金額或費用為負數，或費用大於合約金額時傳回 #NUM!；"
        "沒有任何合約時傳回 #DIV/0!；輸入文字時傳回 #VALUE!。",
    },
    "MRR": {
        "title": "月經常性收入",
        "summary": "月經常性收入：各訂閱的收費金額 / 該金額涵蓋的月數，再加總。ARR = MRR × 12。",
        "args": {
            "amounts": "每筆有效訂閱的收費金額。",
            "billing_months": "每筆金額涵蓋的月數（12 = 年繳方案）。預設為 1。",
        },
        "units": "每月金額（與輸入相同幣別）。ARR（年經常性收入）為 MRR × 12（輸入 =MRR(...)*12）。",
        "convention": "每筆訂閱的收費金額平均分攤到其計費週期（年繳為 12、季繳為 3）。"
        "金額空白的列略過；計費週期空白視為 1 個月。沒有任何訂閱時結果為 0。",
        "errors": "計費週期為 0 或以下、或金額為負數時傳回 #NUM!。",
    },
    "ARPA": {
        "title": "每帳戶平均營收",
        "summary": "每帳戶平均營收 = 營收 / 帳戶數，逐期計算。",
        "args": {
            "revenue": "該期間的營收（一個儲存格，或每列一個）。",
            "accounts": "同一期間的付費帳戶數。",
        },
        "units": "每帳戶每期金額（期間與營收的期間相同）。",
        "errors": "帳戶數為 0 時傳回 #DIV/0!；帳戶數為負數時傳回 #NUM!。",
    },
    "CLTV": {
        "title": "客戶終身價值",
        "summary": "客戶終身價值 = ARPA × 毛利率 × (1 + d) / (流失率 + d)；不折現時為 ARPA × 毛利率 / 流失率。",
        "args": {
            "arpa": "每期每帳戶平均營收（例如每月）。",
            "churn_rate": "每期（期間長度相同）流失的客戶比例，例如 0.05。必須在 (0, 1] 之間。",
            "gross_margin": "毛利率，以 0–1 的比率表示。預設為 1（以營收計算的 LTV）。",
            "discount_rate": "每期折現率，例如每月 0.01。預設為 0。",
        },
        "units": "每位客戶的金額。arpa、churn_rate 與 discount_rate 必須以相同期間計（全部按月或全部按年）。",
        "convention": "假設客戶在每期期初付款，並以 1 − churn_rate 的機率留下，"
        "因此價值為 Σₜ m·(1−c)ᵗ/(1+d)ᵗ，t = 0, 1, ...。第一期不折現。",
        "errors": "churn_rate 為 0 時傳回 #DIV/0!；churn_rate 不在 (0, 1] 之間、gross_margin 不在 [0, 1] 之間、"
        "discount_rate 為負數或 arpa 為負數時傳回 #NUM!。",
    },
    "CHURN": {
        "title": "客戶流失率",
        "summary": "客戶流失率 = 流失的客戶數 / 期初客戶數。",
        "args": {
            "churned": "該期間流失的客戶數（僅計期初已是客戶者）。",
            "customers_at_start": "期初客戶數。",
        },
        "units": "每期比率（期間為一個月時，0.05 = 每月 5%）。",
        "convention": "流失數只計期初已是客戶的人（同一期間內新加入又離開的客戶不計入）。",
        "errors": "customers_at_start 為 0 時傳回 #DIV/0!；有負數，或流失數多於期初客戶數時傳回 #NUM!。",
    },
    "RETENTION": {
        "title": "客戶留存率",
        "summary": "客戶留存率 = (期末客戶數 − 新客戶數) / 期初客戶數。",
        "args": {
            "customers_at_end": "期末客戶數。",
            "customers_at_start": "期初客戶數。",
            "new_customers": "該期間新增的客戶數。預設為 0。",
        },
        "units": "每期比率。",
        "errors": "customers_at_start 為 0 時傳回 #DIV/0!；有負數，或 new_customers 大於 customers_at_end 時傳回 #NUM!。",
    },
    "NRR": {
        "title": "淨營收留存率",
        "summary": "淨營收留存率 = (期初 MRR + 擴充營收 − 縮減營收 − 流失營收) / 期初 MRR。",
        "args": {
            "starting_mrr": "既有客戶在期初的經常性收入。",
            "expansion": "既有客戶因追加銷售與交叉銷售增加的營收。預設為 0。",
            "contraction": "因客戶降級方案而減少的營收。預設為 0。",
            "churned_mrr": "因客戶流失而減少的營收。預設為 0。",
        },
        "units": "比率（1.1 = 110%）。",
        "convention": "只計期初就已付費的客戶帶來的營收，不計新客戶。",
        "errors": "starting_mrr 為 0 時傳回 #DIV/0!；輸入為負數，或損失大於期初 MRR 加擴充營收時傳回 #NUM!。",
    },
    "GRR": {
        "title": "毛營收留存率",
        "summary": "毛營收留存率 = (期初 MRR − 縮減營收 − 流失營收) / 期初 MRR；最高 100%。",
        "args": {
            "starting_mrr": "既有客戶在期初的經常性收入。",
            "contraction": "因客戶降級方案而減少的營收。預設為 0。",
            "churned_mrr": "因客戶流失而減少的營收。預設為 0。",
        },
        "units": "比率，最高為 1（不計擴充營收）。",
        "errors": "starting_mrr 為 0 時傳回 #DIV/0!；有負數，或損失大於期初 MRR 時傳回 #NUM!。",
    },
    "CAC": {
        "title": "客戶取得成本",
        "summary": "客戶取得成本 = 業務與行銷支出 / 新客戶數。",
        "args": {
            "spend": "該期間的業務與行銷支出。",
            "new_customers": "同一期間新增的付費客戶數。",
        },
        "units": "每位新客戶的金額。",
        "convention": "逐列計算（例如每月或每個通路）；要算整張表，請給合計數：=CAC(SUM(Spend), SUM(NewCustomers))。",
        "errors": "沒有新客戶時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    "LTV_CAC": {
        "title": "客戶終身價值與取得成本比",
        "summary": "LTV:CAC 比率 = 客戶終身價值 / 客戶取得成本（3 代表 3:1）。",
        "args": {
            "ltv": "客戶終身價值（例如由 CLTV 算出）。",
            "cac": "客戶取得成本（例如由 CAC 算出）。",
        },
        "units": "比率（3 代表 3:1，一般視為健康水準）。",
        "errors": "cac 為 0 時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    "CAC_PAYBACK": {
        "title": "客戶取得成本回收期",
        "summary": "回收客戶取得成本所需月數 = CAC / (每月 ARPA × 毛利率)。",
        "args": {
            "cac": "客戶取得成本。",
            "arpa": "每帳戶每月營收。",
            "gross_margin": "毛利率，以 0–1 的比率表示。預設為 1。",
        },
        "units": "arpa 為每帳戶每月營收時，單位為月。",
        "errors": "arpa × gross_margin 為 0 時傳回 #DIV/0!；有負數，或 gross_margin 大於 1 時傳回 #NUM!。",
    },
    "QUICK_RATIO": {
        "title": "SaaS 快速比率（Quick Ratio）",
        "summary": "SaaS 快速比率 = (新客戶 MRR + 擴充 MRR) / (縮減 MRR + 流失 MRR)。",
        "args": {
            "new_mrr": "來自新客戶的 MRR。",
            "expansion_mrr": "既有客戶增加的 MRR。",
            "contraction_mrr": "因客戶降級方案而減少的 MRR。",
            "churned_mrr": "因客戶流失而減少的 MRR。",
        },
        "units": "比率（高於 4 一般視為有效率的成長）。",
        "errors": "沒有任何 MRR 損失時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    # ----------------------------------------------------------------- sales
    "AOV": {
        "title": "平均訂單金額",
        "summary": "平均訂單金額（平均客單價）= 營收 / 訂單數。",
        "args": {
            "revenue": "這些訂單帶來的營收。",
            "orders": "訂單數。",
        },
        "units": "每筆訂單的金額。",
        "errors": "沒有訂單時傳回 #DIV/0!；訂單數為負數時傳回 #NUM!。",
    },
    "WIN_RATE": {
        "title": "成交率",
        "summary": "成交率（商機結案成交比率）= 贏得的商機 / 已結案的商機。",
        "args": {
            "won": "贏得（成交）的商機數。",
            "closed": "已結案的商機數，包含贏得與失敗。",
        },
        "units": "比率（0.25 = 25%）。",
        "errors": "沒有已結案的商機時傳回 #DIV/0!；有負數，或贏得數多於結案數時傳回 #NUM!。",
    },
    "GROWTH_RATE": {
        "title": "成長率",
        "summary": "成長率 = (本期 − 上期) / |上期|，例如每月銷售額成長率。",
        "args": {
            "current": "本期數值（例如本月銷售額）。",
            "previous": "上一期數值。",
        },
        "units": "比率（0.2 = +20%）。",
        "convention": "除以 |上期| 可讓上期為負數時正負號仍有意義（虧損縮小即為成長）。",
        "errors": "上期為 0 時傳回 #DIV/0!。",
    },
    "PERIOD_GROWTH": {
        "title": "逐期成長率",
        "summary": "每一期相對前一期的成長率；結果溢出到該欄旁，第一期為空白。",
        "args": {
            "values": "每期一個數值的一欄（或一列），由最早的一期開始。",
        },
        "units": "每期比率；結果的形狀與輸入相同，因此會在每月數據欄旁溢出。",
        "errors": "前一期為 0 之處傳回 #DIV/0!；範圍既非單一欄也非單一列時傳回 #VALUE!。",
    },
    "CAGR": {
        "title": "年複合成長率",
        "summary": "每期複合成長率 = (期末 / 期初)^(1 / 期數) − 1（與 Excel 的 RRI 相同）。",
        "args": {
            "begin_value": "期初數值（必須大於 0）。",
            "end_value": "期末數值。",
            "periods": "兩者之間的期數，例如年數。",
        },
        "units": "每期比率（期數以年計時即為年成長率）。",
        "convention": "與 Excel 內建的 =RRI(periods, begin_value, end_value) 相同，也可以直接使用該函數。",
        "errors": "begin_value ≤ 0、end_value < 0 或 periods ≤ 0 時傳回 #NUM!。",
    },
    "COUNT_PER_PERIOD": {
        "title": "各期次數",
        "summary": "各期事件次數：溢出一張「期間起日、次數」的表格，例如每月的電話與電子郵件數。",
        "args": {
            "dates": "每個事件的日期（電話、電子郵件、貼文、工單、工作階段）。",
            "period": "\"day\"（日）、\"week\"（週）、\"month\"（月，預設）、\"quarter\"（季）或 \"year\"（年）。",
        },
        "units": "兩欄表格（期間起日、次數），溢出顯示，由最早的期間開始。",
        "convention": "每週從星期一開始（ISO）。沒有事件的期間不會列出。",
        "errors": "期間名稱無法辨識，或有非日期的文字時傳回 #VALUE!；數字不是 Excel 日期時傳回 #NUM!；沒有任何日期時傳回 #N/A。",
    },
    "SUM_PER_PERIOD": {
        "title": "各期合計",
        "summary": "各期合計：溢出一張「期間起日、合計」的表格，例如每月交易金額。",
        "args": {
            "dates": "每列的日期（例如訂單日期）。",
            "values": "每列的金額（例如交易金額）。",
            "period": "\"day\"（日）、\"week\"（週）、\"month\"（月，預設）、\"quarter\"（季）或 \"year\"（年）。",
        },
        "units": "兩欄表格（期間起日、合計），溢出顯示，由最早的期間開始。",
        "convention": "日期或金額空白的列會略過。",
        "errors": "期間名稱無法辨識、values 中有文字，或範圍大小不同時傳回 #VALUE!；數字不是 Excel 日期時傳回 #NUM!；沒有任何資料列時傳回 #N/A。",
    },
    # ------------------------------------------------------------- marketing
    "ROI": {
        "title": "投資報酬率",
        "summary": "投資報酬率 = (收益 − 成本) / 成本。",
        "args": {
            "gain": "這項投資帶來的收益（營收或利潤）。",
            "cost": "這項投資的成本。",
        },
        "units": "比率（0.5 = 報酬 50%；−1 = 血本無歸）。",
        "convention": "gain 是這項投資帶來的營收（或利潤），為尚未扣除成本的數字。",
        "errors": "成本為 0 時傳回 #DIV/0!；成本為負數時傳回 #NUM!。",
    },
    "CONVERSION": {
        "title": "轉換率",
        "summary": "轉換率 = 轉換數 / 訪客數；也適用於行動呼籲（CTA）轉換率與 MQL→SQL 轉換率。",
        "args": {
            "conversions": "完成指定行動的人數（購買、註冊、回應行動呼籲）。",
            "visitors": "有機會完成的人數（訪客、潛在客戶、收件人）。",
        },
        "units": "比率（0.03 = 3%）。",
        "convention": "也可用來計算行動呼籲（CTA）轉換率：回應行動呼籲的次數 / 內容送達的次數；"
        "以及 MQL→SQL 轉換率（SQL 數 / MQL 數）。",
        "errors": "沒有訪客時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    "CTR": {
        "title": "點擊率",
        "summary": "點擊率 = 點擊次數 / 曝光次數（或電子郵件送達數）。",
        "args": {
            "clicks": "連結、廣告或電子郵件的點擊次數。",
            "impressions": "顯示或送達的次數。",
        },
        "units": "比率（0.021 = 2.1%）。",
        "errors": "沒有曝光時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    "CPA": {
        "title": "單次取得成本",
        "summary": "單次取得成本 = 活動支出 / 取得數。",
        "args": {
            "spend": "行銷活動支出。",
            "acquisitions": "活動取得的潛在客戶名單、註冊或訂單數。",
        },
        "units": "每次取得的金額。",
        "convention": "CAC 只計新的付費客戶；CPA 則計算活動所買到的任何行動（一筆名單、一次試用、一筆訂單）。",
        "errors": "取得數為 0 時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    "ENGAGEMENT_RATE": {
        "title": "社群互動率",
        "summary": "社群媒體互動率 = 互動數 / 受眾人數。",
        "args": {
            "interactions": "按讚、留言、分享與追蹤數。",
            "audience": "粉絲（追蹤者）人數或觸及人數。",
        },
        "units": "每則貼文或每期的比率。",
        "errors": "受眾人數為 0 時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    # --------------------------------------------------------------- service
    "NPS": {
        "title": "淨推薦值",
        "summary": "淨推薦值（點數，−100 到 100）：回答 9–10 分的百分比減去回答 0–6 分的百分比。",
        "args": {
            "scores": "對「您有多大可能向他人推薦我們？」的 0–10 分回答。空白會略過。",
        },
        "units": "點數，從 −100 到 +100（不是百分比）。",
        "convention": "空白儲存格視為未作答，不納入計算。",
        "errors": "沒有任何回答時傳回 #DIV/0!；分數不是 0 到 10 的整數時傳回 #NUM!。",
    },
    "CSAT": {
        "title": "顧客滿意度",
        "summary": "顧客滿意度分數：評分達到門檻（1–5 分制為 4 分）以上的比例。",
        "args": {
            "scores": "滿意度評分，例如 1–5 分。空白會略過。",
            "threshold": "算作「滿意」的最低評分。預設為 scale_max − 1（1–5 分制為 4 分）。",
            "scale_max": "評分量表的最高分。預設為 5。",
        },
        "units": "比率（0.85 = 85% 滿意）。",
        "convention": "評分範圍為 1 到 scale_max；門檻預設為 scale_max − 1（「前兩格」）：常見的 1–5 分制中 4 分（「滿意」）與 5 分（「非常滿意」）算滿意，1–10 分制則為 9 與 10 分。"
        "若要平均評分，請改用 Excel 的 =AVERAGE()。",
        "errors": "沒有任何評分時傳回 #DIV/0!；評分不在 1..scale_max 之間，或門檻超出該量表時傳回 #NUM!。",
    },
    "FRT": {
        "title": "首次回應時間",
        "summary": "首次回應時間：從工單建立到第一次回覆的平均（或中位數）時間，預設單位為小時。",
        "args": {
            "created_at": "每張工單建立的日期時間。",
            "first_response_at": "第一次回覆的日期時間（空白：仍在等待，略過）。",
            "method": "\"mean\"（平均數，預設）或 \"median\"（中位數）。",
            "unit": "\"hours\"（小時，預設）、\"minutes\"（分鐘）或 \"days\"（天）。",
        },
        "units": "預設為小時；unit 設為 \"minutes\" 或 \"days\" 可改變單位。",
        "convention": "時間戳記為 Excel 日期時間；仍在等待回覆（回覆時間空白）的工單不納入計算。"
        "少數工單等待特別久時，中位數較為穩定。",
        "errors": "沒有任何工單已回覆時傳回 #DIV/0!；回覆時間早於工單建立時間時傳回 #NUM!；"
        "有文字，或 method／unit 無法辨識時傳回 #VALUE!。",
    },
    "RESOLUTION_TIME": {
        "title": "解決時間",
        "summary": "解決時間：從工單開立到解決的平均（或中位數）時間，預設單位為小時。",
        "args": {
            "opened_at": "每張工單開立的日期時間。",
            "resolved_at": "工單解決的日期時間（空白：尚未解決，略過）。",
            "method": "\"mean\"（平均數，預設）或 \"median\"（中位數）。",
            "unit": "\"hours\"（小時，預設）、\"minutes\"（分鐘）或 \"days\"（天）。",
        },
        "units": "預設為小時；unit 設為 \"minutes\" 或 \"days\" 可改變單位。",
        "convention": "尚未解決的工單（resolved_at 空白）不納入計算。",
        "errors": "沒有任何工單已解決時傳回 #DIV/0!；解決時間早於開立時間時傳回 #NUM!；"
        "有文字，或 method／unit 無法辨識時傳回 #VALUE!。",
    },
    "TICKETS_RESOLVED": {
        "title": "已解決工單數",
        "summary": "已解決的工單數，可限定在兩個日期之間（含首尾兩天）。",
        "args": {
            "resolved_at": "每張工單的解決日期（空白：尚未解決）。",
            "period_start": "計算的第一天（選填）。",
            "period_end": "計算的最後一天，含當天（選填）。",
        },
        "units": "工單數。",
        "convention": "起訖都以整天計算且包含當天；resolved_at 空白代表尚未解決的工單。"
        "Excel 內建的 =COUNTIFS(range, \">=\"&start, range, \"<\"&end+1) 可得到相同的數量。",
        "errors": "有非日期的文字時傳回 #VALUE!；期間結束日早於開始日時傳回 #NUM!。",
    },
    # ------------------------------------------------------------------- web
    "SOURCE_SHARE": {
        "title": "流量來源占比",
        "summary": "單一來源的流量占比 = 該來源的工作階段數 / 全部工作階段數。",
        "args": {
            "sources": "每列的流量來源（例如 Organic、Facebook、Direct）。",
            "source": "要計算的來源；不分大小寫。",
            "sessions": "每列的工作階段數（選填：未提供時每列算 1）。",
        },
        "units": "比率。",
        "convention": "比對來源名稱時不分大小寫，也忽略前後空格；來源空白的列計入總數，但不會對應到任何來源。",
        "errors": "沒有任何工作階段時傳回 #DIV/0!；工作階段數為負數時傳回 #NUM!；範圍大小不同時傳回 #VALUE!。",
    },
    "PAGES_PER_SESSION": {
        "title": "每次工作階段瀏覽頁數",
        "summary": "每次工作階段瀏覽頁數 = 瀏覽量 / 工作階段數。",
        "args": {
            "pageviews": "瀏覽的頁數（瀏覽量）。",
            "sessions": "工作階段數（造訪次數）。",
        },
        "units": "頁。",
        "errors": "沒有任何工作階段時傳回 #DIV/0!；有負數時傳回 #NUM!。",
    },
    "BOUNCE_RATE": {
        "title": "跳出率",
        "summary": "跳出率 = 單頁工作階段數 / 工作階段數。",
        "args": {
            "bounces": "只瀏覽一個網頁的工作階段數。",
            "sessions": "全部工作階段數。",
        },
        "units": "比率。",
        "errors": "沒有任何工作階段時傳回 #DIV/0!；有負數，或跳出數多於工作階段數時傳回 #NUM!。",
    },
    # --------------------------------------------------------------- finance
    "GROSS_MARGIN": {
        "title": "毛利率",
        "summary": "毛利率 = (營收 − 銷貨成本) / 營收。",
        "args": {
            "revenue": "營收（銷貨收入淨額）。",
            "cogs": "該營收對應的銷貨成本。",
        },
        "units": "比率（0.4 = 40%）。",
        "errors": "營收為 0 時傳回 #DIV/0!；營收或成本為負數時傳回 #NUM!。",
    },
    "ROA": {
        "title": "資產報酬率",
        "summary": "資產報酬率 = 淨利 / 資產總額。",
        "args": {
            "net_income": "該期間的淨利。",
            "total_assets": "資產總額（若有資料，用期間平均值）。",
        },
        "units": "每期比率。",
        "errors": "total_assets 為 0 時傳回 #DIV/0!；資產為負數時傳回 #NUM!。",
    },
    "MARKET_SHARE": {
        "title": "市場占有率",
        "summary": "市場占有率 = 本公司銷售額 / 市場總銷售額。",
        "args": {
            "company_sales": "本公司在該市場的銷售額。",
            "market_sales": "整個市場的總銷售額。",
        },
        "units": "比率。",
        "errors": "market_sales 為 0 時傳回 #DIV/0!；有負數，或本公司銷售額大於市場總銷售額時傳回 #NUM!。",
    },
    "SHRINKAGE": {
        "title": "存貨損耗率",
        "summary": "存貨損耗率（盤損率）= 損失的存貨價值 / 存貨價值。",
        "args": {
            "lost_value": "損失的存貨價值（損壞、失竊、帳務錯誤）。",
            "inventory_value": "存貨的帳面價值。",
        },
        "units": "比率。",
        "errors": "inventory_value 為 0 時傳回 #DIV/0!；有負數，或損失多於存貨時傳回 #NUM!。",
    },
    # ----------------------------------------------------------------- goals
    "ACHIEVEMENT": {
        "title": "目標達成率",
        "summary": "朝目標推進的程度，以比率表示（0.8 = 80%）：(實際值 − 基準值) / (目標值 − 基準值)。",
        "args": {
            "actual": "目前已達到的數值。",
            "target": "目標要達到的數值。",
            "baseline": "目標開始時的數值（選填；越高越好時預設為 0）。",
            "direction": "越多越好時為 \"higher\"（預設），越少越好時為 \"lower\"。",
        },
        "units": "比率；1 代表達成目標，大於 1 代表超越目標。",
        "convention": "基準值用來從目標起點衡量進度：目標從 80 成長到 100，目前為 90，達成率是 50%，而不是 90%。",
        "errors": "目標值等於基準值時（或 \"lower\" 且未提供基準值、實際值為 0 時）傳回 #DIV/0!；"
        "direction 無法辨識時傳回 #VALUE!。",
    },
    "PACE": {
        "title": "進度節奏",
        "summary": "目前進度相對於從基準值到目標值直線計畫的比率（1 = 符合計畫，1.1 = 超前 10%）。",
        "args": {
            "actual": "目前累計達到的數值（例如至今的銷售額）。",
            "target": "結束日要達到的數值。",
            "start_date": "目標的第一天。",
            "end_date": "目標的最後一天。",
            "as_of": "衡量實際值的日期（例如 =TODAY()）。",
            "baseline": "開始日的數值。預設為 0。",
        },
        "units": "比率；1.1 代表比直線計畫超前 10%。",
        "convention": "以整天直線分配進度，起訖日都計入：開始日當天已過 1 天，結束日當天已過全部天數。"
        "若要依季節性分配，請使用計分卡，它會以去年的資料建立季節曲線。",
        "errors": "as_of 早於 start_date 時傳回 #N/A；end_date 早於 start_date 時傳回 #NUM!；目標值等於基準值時傳回 #DIV/0!。",
    },
    "FORECAST_END": {
        "title": "期末預測",
        "summary": "以目前速度推估期末數值 = 實際值 × 總天數 / 已過天數。",
        "args": {
            "actual": "目前累計的數值（例如至今的銷售額）。",
            "start_date": "期間的第一天。",
            "end_date": "期間的最後一天。",
            "as_of": "衡量實際值的日期。",
        },
        "units": "與實際值相同的單位。",
        "convention": "假設剩下的期間維持至今的平均每日速度；計分卡另提供以去年季節曲線推估的預測。",
        "errors": "as_of 早於 start_date 時傳回 #N/A；end_date 早於 start_date 時傳回 #NUM!。",
    },
    "STATUS": {
        "title": "目標狀態",
        "summary": "依預設規則判斷目標狀態：已達成、進度正常、落後或有風險（\"en\" 顯示英文）。",
        "args": {
            "actual": "目前已達到的數值。",
            "target": "結束日要達到的數值。",
            "start_date": "目標的第一天。",
            "end_date": "目標的最後一天。",
            "as_of": "衡量實際值的日期。",
            "baseline": "目標開始時的數值（選填）。",
            "direction": "\"higher\"（預設）或越少越好時的 \"lower\"。",
            "language": "\"zh-TW\" 顯示中文，\"en\" 顯示英文；預設為英文。",
        },
        "units": "文字：已達成／進度正常／落後／有風險（英文為 Achieved／On track／Behind／At risk）。",
        "convention": "沒有基準值的 \"lower\" 目標沒有直線路徑，因此以達成率（目標值 / 實際值）作為進度。",
        "errors": "早於開始日時傳回 #N/A；結束日早於開始日時傳回 #NUM!；目標值等於基準值時傳回 #DIV/0!；"
        "direction 或 language 無法辨識時傳回 #VALUE!。",
    },
    "PAYOUT": {
        "title": "獎金發放比例",
        "summary": "獎金占目標獎金的比例：低於門檻為 0，到 100% 前等於達成率，超過後加速，並受上限限制。",
        "args": {
            "achievement": "達成率（1 = 100% 達成目標）。",
            "threshold": "低於此達成率不發獎金，例如 0.8。",
            "accelerator": "超過 100% 部分的倍數。預設為 1。",
            "cap": "最高發放比例，例如 1.5（選填：不設上限）。",
        },
        "units": "目標獎金的比率（1.4 = 目標獎金的 140%）。",
        "convention": "常見的業績獎金制度：門檻、線性區間與超額加速。PAYOUT(0.9, 0.8) = 0.9；PAYOUT(1.2, 0.8, 2, 1.5) = 1.4。",
        "errors": "門檻不在 0–1 之間、加速倍數為負數或上限小於 0 時傳回 #NUM!。",
    },
    "OKR_SCORE": {
        "title": "OKR 分數",
        "summary": "目標（Objective）分數 = 各關鍵結果分數（限制在 0–1）的加權平均；0.7 即為好成績。",
        "args": {
            "scores": "每個關鍵結果的分數，0.0 到 1.0（超出會被截斷）。",
            "weights": "每個關鍵結果的權重（選填：權重相同）。",
        },
        "units": "0.0–1.0；0.7 為好成績（Google 的評分：0.7–1.0 達成、0.4–0.6 有進展、0.4 以下未達成）。",
        "convention": "空白的分數連同其權重一起略過。",
        "errors": "沒有任何分數或權重總和為 0 時傳回 #DIV/0!；權重為負數時傳回 #NUM!。",
    },
}

UI: dict[str, str] = {
    "Function": "函數",
    "Formula": "公式",
    "Arguments": "引數",
    "Argument": "引數",
    "Example": "範例",
    "Result": "結果",
    "Errors": "錯誤值",
    "Units": "單位",
    "Convention": "計算慣例",
    "Source": "資料來源",
    "Category": "類別",
    "optional": "選填",
    "default": "預設",
    "KPI worksheet functions": "KPI 工作表函數",
    "Functions reference": "函數參考",
    "SaaS and customers": "SaaS 與客戶",
    "Sales": "銷售",
    "Marketing": "行銷",
    "Customer service": "客戶服務",
    "Website": "網站",
    "Finance": "財務",
    "Goals": "目標",
    "Where Excel already has a native formula": "Excel 已有內建公式的指標",
}
