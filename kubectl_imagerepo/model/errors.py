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


#: The one line of `CallerForbidden`; see docs/behaviour.md, The caller's own rights.
CALLER_FORBIDDEN_MESSAGE = (
    "{who} may not {verb} {what}{where}; the status and events of {subject} were left as they were"
)


class CallerForbidden(CommandError):
    """The API server refused the caller a read (or token request) the reconcile needs.

    From the command line this is the caller's own missing right, not the object's failure: the
    reconcile ends without writing a status or an event. `subject` names the object reconciled.
    """

    def __init__(
        self, *, verb: str, resource: str, namespace: str, name: str, user: str, subject: str = "the object"
    ) -> None:
        self.verb, self.resource, self.namespace, self.name, self.user = verb, resource, namespace, name, user
        self.subject = subject
        super().__init__(self._text())

    def about(self, subject: str) -> CallerForbidden:
        """The same refusal, naming the object whose reconcile it ended."""
        return CallerForbidden(
            verb=self.verb, resource=self.resource, namespace=self.namespace, name=self.name,
            user=self.user, subject=subject,
        )

    def _text(self) -> str:
        what = f'{self.resource} "{self.name}"' if self.name else self.resource
        where = f' in namespace "{self.namespace}"' if self.namespace else ""
        who = f'User "{self.user}"' if self.user else "you"
        return "error: " + CALLER_FORBIDDEN_MESSAGE.format(
            who=who, verb=self.verb, what=what, where=where, subject=self.subject
        )
