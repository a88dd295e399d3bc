"""The classroom: multi-player beer games as a service without UI.

A session is a scenario, a seed and settings; it holds one or more teams, each a whole chain
whose seats are played by humans (from a browser) or by bots (the session's decision rule).
Every accepted decision is appended to a SQLite log; a team's state is the replay of its log
through :class:`~chaingame.engine.Engine`. Pages call :class:`Classroom` and render the frozen
snapshots it returns. See ``docs/classroom.md`` and ``docs/classroom-data.md``.

Nothing here imports a UI toolkit.
"""

from .errors import AlreadySubmitted, ClassroomError, Forbidden, InputError, NotFound, SeatTaken, WrongWeek
from .report import EXPORT_COLUMNS
from .service import Classroom
from .views import (
    SHAPES,
    ChainRow,
    Debrief,
    HostTicket,
    HostView,
    JoinView,
    ProjectorView,
    RevealView,
    RoundDemand,
    SeatDecision,
    SeatObservation,
    SeatRule,
    SeatStatus,
    SeatTicket,
    SeatView,
    SeatWeek,
    Status,
    TeamInsight,
    TeamProgress,
    TeamStatus,
)

__all__ = [
    "SHAPES", "AlreadySubmitted", "ChainRow", "Classroom", "ClassroomError", "Debrief", "EXPORT_COLUMNS", "Forbidden",
    "HostTicket", "HostView", "InputError", "JoinView", "NotFound", "ProjectorView", "RevealView", "RoundDemand",
    "SeatDecision", "SeatObservation", "SeatRule", "SeatStatus", "SeatTaken", "SeatTicket", "SeatView", "SeatWeek",
    "Status", "TeamInsight", "TeamProgress", "TeamStatus", "WrongWeek",
]
