"""补充信息 of the demo matters (issue 15 item 3): the extra fields a registration asks, by matter code.

Kept apart from ``data.MATTERS`` (like ``guide_elements``) so that the matters read as the province's list;
``load_catalog`` adds these.
"""

from __future__ import annotations

FORM_FIELDS: dict[str, list[dict]] = {
    # 户口迁移: where the household register moves to, and why
    "KYTB-POL-002": [
        {"key": "move_to_address", "label": "迁入地址", "kind": "address", "required": True,
         "help": "迁入地的详细地址，写到门牌号"},
        {"key": "move_reason", "label": "迁移原因", "kind": "choice", "choices": "购房\n投靠\n就业\n毕业\n其他"},
    ],
}
