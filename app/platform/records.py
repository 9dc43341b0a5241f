"""Saving and deleting the records that administrators maintain in the generated views and APIs.

Every add, edit and delete from a FAB view or REST API lands here (through ``ScopedInterface``):
per-model rules run first and report every problem at once, then the change is flushed and checked
against the write scope in SQL (one rule, ``app.scope``), and only then committed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import NotFound, Problem, ProblemCollector, ValidationFailed
from app.scope import Reach, is_in_scope

Rule = Callable[[Session, Any, Reach, ProblemCollector], None]
_rules: dict[type, list[Rule]] = defaultdict(list)
_delete_rules: dict[type, list[Rule]] = defaultdict(list)


def rule_for(model: type) -> Callable[[Rule], Rule]:
    """Registers a save rule for a model (decorator); rules add problems, they never write."""

    def register(fn: Rule) -> Rule:
        _rules[model].append(fn)
        return fn

    return register


def delete_rule_for(model: type) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _delete_rules[model].append(fn)
        return fn

    return register


#: columns written by the machinery, never by the person saving (the Stamped mixin)
STAMPS = frozenset({"created_on", "changed_on", "created_by_fk", "changed_by_fk", "created_by", "changed_by"})


def changed_fields(item: Any) -> set[str]:
    """The attributes (columns and relationships) a save would change, the stamps left out; every field of
    a record not stored yet."""
    state = inspect(item)
    if not state.persistent:
        return {attr.key for attr in state.attrs} - STAMPS
    return {attr.key for attr in state.attrs if attr.history.has_changes()} - STAMPS


def _check(rules: dict[type, list[Rule]], session: Session, items: list[Any], reach: Reach) -> None:
    """Runs every rule on every item and raises once with all the problems found."""
    problems = ProblemCollector()
    for item in items:
        for model in type(item).__mro__:
            for rule in rules.get(model, ()):
                rule(session, item, reach, problems)
    if problems:
        session.rollback()
        problems.raise_if_any()


def save(session: Session, item: Any, reach: Reach) -> Any:
    """Adds or updates ``item`` in one transaction, refusing anything outside the reach."""
    if inspect(item).persistent:
        with session.no_autoflush:  # the record as stored, before this change
            allowed_before = is_in_scope(session, item, reach, write=True)
        if not allowed_before:
            session.rollback()
            raise NotFound()
    _check(_rules, session, [item], reach)
    session.add(item)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ValidationFailed([Problem(None, _integrity_message(exc))]) from exc
    if not is_in_scope(session, item, reach, write=True):
        session.rollback()
        raise ValidationFailed([Problem(None, _l("This record would be outside your scope of management."))])
    session.commit()
    return item


def delete(session: Session, item: Any, reach: Reach) -> None:
    delete_many(session, [item], reach)


def delete_many(session: Session, items: list[Any], reach: Reach) -> int:
    """Deletes all the records in one transaction, or none of them when any one is refused."""
    if any(not is_in_scope(session, item, reach, write=True) for item in items):
        session.rollback()
        raise NotFound()
    _check(_delete_rules, session, items, reach)
    for item in items:
        session.delete(item)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ValidationFailed(
            [Problem(None, _l("This record is still used by other records and cannot be deleted."))]
        ) from exc
    session.commit()
    return len(items)


def _integrity_message(exc: IntegrityError) -> Any:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return _l("A record with the same name or code already exists.")
    if "foreign key" in text:
        return _l("A related record does not exist or is still in use.")
    if "not null" in text or "null value" in text:
        return _l("A required field is empty.")
    return _l("The record could not be saved because it conflicts with other records.")
