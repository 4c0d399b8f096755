"""The workbook people hold, and the .xlsx package layer beneath it.

Each command is one call of the same name: `kpi-xl new` → :func:`.template.new`,
`kpi-xl refresh` → :func:`.refresh.refresh`, `kpi-xl share` → :func:`.share.share`.
"""
