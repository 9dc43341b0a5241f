"""Named exceptions that services raise and views/APIs turn into answers.

Views flash every problem at once and keep the form; the REST API answers 404 / 403 / 409 / 422 with
``{"errors": [{"field": ..., "message": ...}, ...]}``. Messages are lazy strings: they are rendered in the
language of the person who reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: the field it concerns (None for the whole request) and why."""

    field: str | None
    message: Any  # str or a lazy string
    #: the row of an imported file the problem is in (its field is then the column), None elsewhere
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"field": self.field, "message": str(self.message)}
        if self.row is not None:
            answer["row"] = self.row
        return answer


class ServiceError(Exception):
    status = 400

    def __init__(self, problems: Iterable[Problem] | Problem | str | Any = ()) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        elif not isinstance(problems, (list, tuple)):
            problems = [Problem(None, problems)] if problems else []
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(p.message) for p in self.problems))

    def as_dict(self) -> dict[str, list[dict[str, str | None]]]:
        return {"errors": [p.as_dict() for p in self.problems]}


class Refused(ServiceError):
    """The request was understood and refused for reasons the user can act on (pages show the problems
    and let the user try again; NotFound and Forbidden end the request)."""


class ValidationFailed(Refused):
    """The request breaks one or more rules; all of them are listed (一次性告知)."""

    status = 422


class NotFound(ServiceError):
    """Missing, or outside the user's scope: the two are never told apart."""

    status = 404


class Forbidden(ServiceError):
    """The user's role may not do this at all."""

    status = 403


class TooManyRequests(ServiceError):
    """The user asked for this too often (searches by ID number or phone): wait and try again."""

    status = 429


class Conflict(Refused):
    """The record changed state meanwhile, or the step is not allowed in its current state."""

    status = 409


class ProblemCollector:
    """Collects problems so a command can report every one of them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str | None, message: Any) -> None:
        self.problems.append(Problem(field, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, exc: type[ServiceError] = ValidationFailed) -> None:
        if self.problems:
            raise exc(self.problems)
