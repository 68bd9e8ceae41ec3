"""Typed errors of the cuff link, raised to the caller of a link coroutine."""

from __future__ import annotations

from devices.protocol import Command, CommandResult, ResultCode


class LinkError(Exception):
    """Base of every error the cuff link raises."""


class NotConnected(LinkError):
    """The command needs a streaming link and there is none."""


class LinkLost(LinkError):
    """The link was lost while the command waited for its result."""


class LinkSetupError(LinkError):
    """The device connected but cannot be driven (MTU, version, missing characteristic)."""


class ConnectFailed(LinkError):
    """No connection could be established."""


class CommandTimeout(LinkError):
    """No result arrived within the deadline (after the allowed retries)."""

    def __init__(self, command: Command, attempts: int) -> None:
        super().__init__(f"no result for {type(command).__name__} after {attempts} attempt(s)")
        self.command = command
        self.attempts = attempts


class CommandRejected(LinkError):
    """The device answered the command with a result code other than OK."""

    def __init__(self, command: Command, result: CommandResult) -> None:
        super().__init__(
            f"{type(command).__name__} {command.sequence} refused: {result.result.name} "
            f"on channels {list(result.channels)}"
        )
        self.command = command
        self.result = result


class CommandSuperseded(LinkError):
    """A pressure command was still queued when a release of its channels went out; not sent."""

    def __init__(self, channels: tuple[int, ...]) -> None:
        super().__init__(f"superseded by a release of channels {list(channels)}")
        self.channels = channels


class ReleaseUnconfirmedError(LinkError):
    """A release was retried and the device never confirmed it."""

    def __init__(
        self, channels: tuple[int, ...] | None, attempts: int, last: ResultCode | None
    ) -> None:
        what = "all channels" if channels is None else f"channels {list(channels)}"
        got = "no result" if last is None else last.name
        super().__init__(f"release of {what} unconfirmed after {attempts} attempts ({got})")
        self.channels = channels
        self.attempts = attempts
        self.last_result = last
