"""审计导出 (issue 14 item 5): the history and the personal-data access log of a case or a period as XLSX,
for complaints and inspections; each export is itself an entry of the access log."""
