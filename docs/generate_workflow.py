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
