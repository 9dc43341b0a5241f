"""The one data-scope rule.

Every model that a user can reach through a view, an API, an export or a download declares a
``__scope__`` (a :class:`ScopeRule`): a function from the user's :class:`Reach` to an SQL criterion.
:func:`criterion` is the only place that turns a reach into a filter; the scoped data interface
(``app.views.base.ScopedInterface``), the services and the jobs all go through it.

Deny by default: a model without a declared rule is visible to nobody, not even an administrator,
so forgetting to declare one fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from app.domain.roles import EVERYTHING_ROLES, RoleName


@dataclass(frozen=True)
class Reach:
    """What one user may see, derived from their roles and their place in the organisation."""

    user_id: int | None = None
    everything: bool = False
    #: materialised paths of the counties this user administers (CountyAdmin)
    county_paths: frozenset[str] = field(default_factory=frozenset)
    #: the service centers whose cases this user works (WindowClerk)
    center_ids: frozenset[int] = field(default_factory=frozenset)
    #: the departments this user belongs to (DepartmentOfficer, CityDepartment)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    #: the lines of business this user guides across all counties (CityDepartment)
    lines: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, role: RoleName) -> bool:
        return role.value in self.roles


NOBODY = Reach()
SYSTEM = Reach(everything=True)  # jobs and CLI commands act for the system


Criterion = Callable[[Reach], ColumnElement[bool]]


@dataclass(frozen=True)
class ScopeRule:
    """Which rows a reach may read, and which it may write (defaults to the same rows)."""

    read: Criterion
    write: Criterion | None = None


#: the largest id a record can have: every primary key is an ``Integer``, PostgreSQL's ends here (SQLite's
#: does not, so without this check a larger id is a 500 on one database and a 404 on the other)
MAX_ID = 2**31 - 1
#: an id that no record has (ids start at 1): what an id no record can have is taken for
NO_RECORD_ID = 0


def as_record_id(value: Any) -> int | None:
    """``value`` as the id of a record (an int, or a string of ASCII digits), or None when no record can have it."""
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in ("+", "-") else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_ID)):
            return None
        number = int(text)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return None
    return number if abs(number) <= MAX_ID else None


class OutOfScope(Exception):
    """A record is missing or outside the user's scope: callers answer 404, never 403."""


def criterion(model: type, reach: Reach, *, write: bool = False) -> ColumnElement[bool]:
    rule: ScopeRule | None = getattr(model, "__scope__", None)
    if rule is None:
        return false()
    if reach.everything:
        return true()
    chosen = rule.write if (write and rule.write is not None) else rule.read
    return chosen(reach)


def scoped_select(model: type, reach: Reach, *, write: bool = False):
    return select(model).where(criterion(model, reach, write=write))


def get_in_scope(session: Session, model: type, pk: Any, reach: Reach, *, write: bool = False,
                 lock: bool = False) -> Any:
    """The record with this primary key if the reach covers it; :class:`OutOfScope` otherwise.
    ``lock`` reads it afresh and holds its row until the transaction ends (one statement on PostgreSQL;
    SQLite serialises writers anyway)."""
    pk_col = model.__mapper__.primary_key[0]
    pk = as_record_id(pk)
    if pk is None:
        raise OutOfScope(model.__name__)
    stmt = scoped_select(model, reach, write=write).where(pk_col == pk)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=model).execution_options(populate_existing=True)
    item = session.execute(stmt).scalar_one_or_none()
    if item is None:
        raise OutOfScope(model.__name__)
    return item


def is_in_scope(session: Session, item: Any, reach: Reach, *, write: bool = False) -> bool:
    """Checks a (possibly just flushed) record against the rule, in SQL, so there is one rule."""
    model = type(item)
    pk_col = model.__mapper__.primary_key[0]
    pk = getattr(item, pk_col.key)
    stmt = select(pk_col).where(pk_col == pk, criterion(model, reach, write=write))
    return session.execute(stmt).first() is not None


# --- building blocks for the rules that models declare ---------------------------------------


def everyone(_: Reach) -> ColumnElement[bool]:
    return true()


def nobody(_: Reach) -> ColumnElement[bool]:
    return false()


def among(column: Any, ids: Iterable[Any]) -> ColumnElement[bool]:
    ids = sorted(ids)
    return column.in_(ids) if ids else false()


def any_of(*criteria: ColumnElement[bool]) -> ColumnElement[bool]:
    return or_(false(), *criteria)


# --- from a user to a reach -------------------------------------------------------------------


def reach_of(user: Any) -> Reach:
    """The reach of a staff user (an ``app.models.staff.StaffUser``); anonymous users reach nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "id", None):
        return NOBODY
    roles = frozenset(role.name for role in user.roles)
    if roles & EVERYTHING_ROLES:
        return Reach(user_id=user.id, everything=True, roles=roles)
    county_paths: set[str] = set()
    center_ids: set[int] = set()
    department_ids: set[int] = set()
    lines: set[str] = set()
    if RoleName.COUNTY_ADMIN.value in roles and user.region is not None:
        county_paths.add(user.region.path)
    if RoleName.WINDOW_CLERK.value in roles and user.center_id:
        center_ids.add(user.center_id)
    if RoleName.DEPARTMENT_OFFICER.value in roles and user.department_id:
        department_ids.add(user.department_id)
    if RoleName.CITY_DEPARTMENT.value in roles and user.department is not None:
        department_ids.add(user.department.id)
        lines.add(user.department.line)
    return Reach(
        user_id=user.id,
        county_paths=frozenset(county_paths),
        center_ids=frozenset(center_ids),
        department_ids=frozenset(department_ids),
        lines=frozenset(lines),
        roles=roles,
    )
