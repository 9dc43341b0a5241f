"""The one logging set-up of the web app, the ``flask`` commands and the Celery workers' tasks (all of
them build the app with ``create_app``), driven by the setting ``LOG_LEVEL``.

Libraries tell a lot at INFO: Flask-AppBuilder a line per permission at every role sync, Alembic a line
per plugin and migration. They log at ``LOG_LEVEL`` (WARNING unless set), so a start shows what
matters; INFO or DEBUG brings their story back when something is wrong. Our own loggers (``app.*``,
``workers.*``) log INFO and above whatever the level (every job says what it did), and DEBUG too when
``LOG_LEVEL`` is DEBUG. gunicorn and Celery log through their own ``--log-level`` / ``--loglevel``:
``make run`` (app/devserver.py) sets them from ``LOG_LEVEL``, a production unit says what it wants.

Logs are not a place for personal data: our code logs masks (``app.domain.privacy``), and as a safety net
every handler present when the logs are configured (the root's, gunicorn's, Celery's, werkzeug's access
log) gets ``PersonalDataFilter``, which masks any ID number and mobile number left in a record.
"""

from __future__ import annotations

import logging

from app.domain.privacy import mask_personal_numbers

OWN_LOGGERS = ("app", "workers")
#: set explicitly: in a Celery process the root logger's level is Celery's --loglevel, under pytest
#: pytest's; everywhere else these and every other library follow the root logger
LIBRARY_LOGGERS = ("flask_appbuilder", "alembic", "werkzeug")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PersonalDataFilter(logging.Filter):
    """Masks ID numbers and mobile numbers in a record's message and exception text; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        return True


PERSONAL_DATA_FILTER = PersonalDataFilter()


def mask_personal_data_in_handlers() -> None:
    """Puts the filter on every handler of every logger that exists now (idempotent)."""
    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if PERSONAL_DATA_FILTER not in handler.filters:
                handler.addFilter(PERSONAL_DATA_FILTER)


def is_verbose(level: str) -> bool:
    """Whether ``level`` lets the libraries' INFO through (start-up banners, access logs and the like)."""
    return logging.getLevelName(level.upper()) <= logging.INFO


def configure_logging(level: str) -> None:
    """Applies ``level`` (a name such as ``"WARNING"``) to the libraries and INFO (or DEBUG) to our own
    loggers. A process whose root logger has no handler yet (web, ``flask``) gets one on stderr at
    ``level``; one that has (Celery's, pytest's) keeps it. Safe to call more than once."""
    library_level = logging.getLevelName(level.upper())
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
        root.setLevel(library_level)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(library_level)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(min(logging.INFO, library_level))
    mask_personal_data_in_handlers()
