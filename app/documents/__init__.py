"""Printed documents of a case: the notices of 广政公函〔2023〕33号 as PDF.

    from app.documents import acceptance_context, render_notice
    pdf = render_notice("acceptance", acceptance_context(case))

``notices`` builds frozen contexts from a case and renders them (``NOTICE_KINDS``); ``render`` is the
template → xhtml2pdf → PDF machinery; ``fonts`` finds and registers the Chinese fonts
(``missing_glyphs`` warns before printing); ``cjk`` is the Chinese line breaker for table cells;
``fetch_fonts`` is what ``make fonts`` runs. Nothing here needs a Flask request or app context.
"""

from app.documents.fonts import FontNotFoundError, missing_glyphs
from app.documents.notices import (
    NOTICE_KINDS,
    AcceptanceContext,
    CorrectionContext,
    RejectionContext,
    acceptance_context,
    context_from_dict,
    context_to_dict,
    correction_context,
    notice_text,
    rejection_context,
    render_notice,
)
from app.documents.render import RenderError

__all__ = [
    "NOTICE_KINDS", "AcceptanceContext", "CorrectionContext", "FontNotFoundError", "RejectionContext", "RenderError",
    "acceptance_context", "context_from_dict", "context_to_dict", "correction_context", "missing_glyphs",
    "notice_text", "rejection_context", "render_notice",
]
