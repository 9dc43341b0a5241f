"""Writes docs/WORKFLOW.md from the transition table (run: python docs/generate_workflow.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.workflow import TRANSITIONS, diagram  # noqa: E402

OUT = Path(__file__).resolve().parent / "WORKFLOW.md"


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
