"""Errors a person can act on.

Every error planbot shows to a user is a :class:`PlanbotError`: one line naming the thing that was wrong
and why. The CLI prints it on stderr and exits with code 2; the chat adapters send it as a reply.
"""


class PlanbotError(Exception):
    """Bad input or usage, described in one line a facilitator in a village can act on."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class SettingsError(PlanbotError):
    """A missing or malformed setting; the message names the environment variable."""


class NotFoundError(PlanbotError):
    """A plan, document or other object that the user named does not exist."""
