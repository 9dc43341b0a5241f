"""好差评 and 整改: the applicant's rating of a delivered case (``rating``), the rectification a poor one opens
and its commands (``rectifications``), the XLSX exports (``export``). Imports cases, never notifications (the
deadline job in notifications reads the rectifications)."""
