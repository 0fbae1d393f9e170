"""Team failures a person can act on: each is one clear line, and local data is kept."""

from __future__ import annotations

from mentordesk.errors import KnownError

KEPT = "Your data on this computer is kept."


class TeamError(KnownError):
    pass


class NotInTeam(TeamError):
    pass


class BadJoinCode(TeamError):
    pass


class TeamOffline(TeamError):
    """The server cannot be reached now; the desk works on and catches up later."""


class AccessRevoked(TeamError):
    pass


class ServerSchemaNewer(TeamError):
    pass


class NoTeamSchema(TeamError):
    pass


class SecretStorageMissing(TeamError):
    pass
