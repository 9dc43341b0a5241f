"""Writes docs/WORKFLOW.md from the transition table (run: python docs/generate_workflow.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.workflow import TRANSITIONS, diagram  # noqa: E402

OUT = Path(__file__).resolve().parent / "WORKFLOW.md"

#: the legal clock in prose (the table below has its steps)
CLOCK = [
    "## The legal clock (办理时限)",
    "",
    "The processing due day is read from the clock of the case (`app/domain/clock.py`, read by",
    "`app/services/cases/clock.py`): the matter's promised limit in working days, counted from acceptance",
    "over the work calendar, with",
    "",
    "- **补正** (correction): the clock stops from the correction request until the department has the",
    "  supplied items (`Correction.requested_on` → `forwarded_on`);",
    "- **特别程序** (special procedure, Administrative Licensing Law Art. 45: hearing, testing, inspection,",
    "  expert review, public notice …): `start_special_procedure` (status `in_procedure`) stops the clock",
    "  with the procedure's expected length, which gives an expected due day while it runs;",
    "  `end_special_procedure` starts it again;",
    "- **延期** (extension, Art. 42): `request_extension` (status `extension_asked`) by the department's",
    "  officer, `approve_extension` / `refuse_extension` only by an approving head (role `Approver`,",
    "  审批负责人); an approved extension adds its working days to the limit (at most",
    "  `EXTENSION_MAX_WORKING_DAYS`, or the matter's `max_extension_days`, in all).",
    "",
    "A stop of n working days moves the due day by n working days; two stops covering the same day stop",
    "the clock once. The case page shows the clock as a timeline (办理时限计时), `GET /api/v1/case/<id>/clock`",
    "answers it, the reports show the stopped and the extended days beside the processing days, and the",
    "ledger's 备注 tells them in words (补正暂停3个工作日；特别程序（检验）2个工作日；延期5个工作日（罗建华批准）).",
    "The arithmetic is pure code with property tests (`tests/domain/test_clock.py`, Hypothesis): the due day",
    "never comes before the plain limit, and equals an independent count over the 2026 holidays and their",
    "adjusted working weekends.",
    "",
    "## 容缺受理 (acceptance with a material to follow)",
    "",
    "A required material the catalog marks 可容缺 (`MaterialRequirement.deferrable`) may be missing at `accept`:",
    "the window records the applicant's written promise and the day it will be supplied (at most",
    "`DEFERRED_MATERIAL_MAX_WORKING_DAYS` working days after acceptance), and a 容缺受理承诺书 is rendered. The",
    "promise has its own clock: a broken promise reminds the accepting window (我的提醒, kind `promise`);",
    "`POST /api/v1/case/<id>/materials/<material_id>/supplied` (or the case page) records it supplied",
    "with its scan. The department cannot `complete` with an approval while a promise is open; when it is",
    "broken, it completes with the result `denied` and gives the reasons.",
    "",
    "## 远程预审 (remote pre-check)",
    "",
    "For a matter marked `precheck` in the catalog, `accept` leads to `precheck`: the window has uploaded the",
    "scans and the department looks at them before the parcel leaves, within the matter's `precheck_hours`",
    "working hours (office hours `PRECHECK_OFFICE_HOURS`; 4: half a working day). It answers",
    "`pass_precheck` (the case is `accepted` and the parcel may leave) or `request_precheck_correction`",
    "(`precheck_fix`: the window relays the items while the applicant may still be there and",
    "`supply_precheck` starts the next round). Each round is a `PrecheckRound` with its due time and outcome;",
    "a round not answered in time is closed `timed_out` by the deadline job and the parcel leaves as it is",
    "(the one-day dispatch rule still holds). The department's officers are reminded (我的提醒 and the mail",
    "digest, kind `precheck`) until the round is answered; its queue has a 预审 tab, and the reports count",
    "pre-checks, the corrections they caught and the mail round trips saved. Pre-check time is no stop of",
    "the legal clock: it runs before the parcel leaves, inside the window's own day.",
]


def render() -> str:
    rows = [
        "| step | from | to | acting side(s) | fields (required*; inbound: only for a case an outside window accepted) | side effects (outbox; ?condition) |",
        "|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS.values():
        fields = ", ".join(f.name + ("*" if f.required else "") + (" (inbound)" if f.inbound_only else "")
                           + (" (mail)" if f.only_if_mail else "") + (" (pickup)" if f.only_if_pickup else "")
                           for f in t.fields)
        actors = ", ".join(t.actors) + (f" (mailed result: {', '.join(t.mail_actors)})" if t.mail_actors else "")
        sources = ", ".join(sorted(t.sources)) + (f" (mailed result: {', '.join(sorted(t.mail_sources))})"
                                                   if t.mail_sources else "")
        target = t.target + (f" (inbound: {t.inbound_target})" if t.inbound_target else "")
        name = (f"`{t.name}`" + (f" ({t.delivery} only)" if t.delivery else "")
                + (f" (inbound: “{t.inbound_label}”)" if t.inbound_label else ""))
        rows.append(f"| {name} | {sources} | {target} | {actors} | "
                    f"{fields} | {', '.join(t.effects) or '–'} |")
    return "\n".join([
        "# The case workflow (generated from `app/domain/workflow.py`; do not edit by hand)",
        "",
        "A side outside the system (a counterpart window, an outside department) is recorded by the window",
        "on our side. Each step is one transaction: history event, deadlines, ledger and outbox rows together.",
        "A result collected at the window (pickup) travels from the home window to the window where the",
        "application was received (`send_result`) before that window delivers it; a mailed result (mail) is",
        "mailed by the home window straight from `completed`.",
        "",
        *CLOCK,
        "",
        "```mermaid",
        diagram(),
        "```",
        "",
        *rows,
        "",
    ])


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
