"""Errors of the classroom service: one line each, naming the field, the value and what is allowed.

Every error is a :class:`ClassroomError` (a ``ValueError``), so a page can show ``str(error)`` as is.
Settings of a new session are checked like scenario files and raise
:class:`~chaingame.checks.ScenarioError` instead.
"""

from __future__ import annotations


class ClassroomError(ValueError):
    """Something a player or the host asked for that the game cannot do."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class NotFound(ClassroomError):
    """No such session, seat token or team."""


class SeatTaken(ClassroomError):
    """The seat asked for is occupied (or played by a bot), or no seat is free."""


class InputError(ClassroomError):
    """A decision or an argument that is not allowed (empty, not a number, negative, too large...)."""


class Forbidden(ClassroomError):
    """Not allowed now or not by this caller: wrong host key, released seat, paused or ended session."""


class WrongWeek(ClassroomError):
    """A decision for a week other than the team's current week."""


class AlreadySubmitted(ClassroomError):
    """A second, different decision for a week already decided (an identical repeat is accepted)."""
