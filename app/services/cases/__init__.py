"""Cases (办件), from registration to the archive:

- ``registration`` — 申报: a draft at the clerk's window, changed while it is a draft
- ``take_step`` — the one way to take a step of the process (``take_step``, ``available_steps``);
  ``steps`` — what each step does, one function per transition; ``step_fields`` — reading their fields
- ``access`` — the sides a user stands on, a case within scope, the log of full personal data views
- ``history`` — 流转记录; ``deadlines`` — one case's due dates; ``warnings`` — every open case at once
- ``input`` — checking what a clerk enters; ``numbers`` — gap-free case numbers
- ``files`` — scans of materials and result documents; ``notices`` — the printed notices
- ``ledger`` — 工作登记台账 rows; ``archive`` — 归档包; ``work_queue`` — 待办
"""
