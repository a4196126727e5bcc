"""Errors that end a command with a message and an exit code."""

from __future__ import annotations


class CommandError(Exception):
    """A runtime failure: printed as is on stderr, exit code 1."""

    exit_code = 1

    def display(self) -> str:
        """The line printed when the error ends the command."""
        return str(self)


class InputError(CommandError):
    """Bad user input detected before anything was changed: exit code 2."""

    exit_code = 2
