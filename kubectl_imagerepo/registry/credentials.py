"""The registry credentials value: what a scan authenticates with, never shown in any text.

A plain value with no HTTP imports, so the pull-Secret keychain and the cloud logins can build it
without loading the registry client.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

__all__ = ["Credentials"]


@dataclass(frozen=True, repr=False)
class Credentials:
    """What to authenticate with; the secrets never show in repr(), str() or any message.

    Give `username` and `password` (sent to a token server, or to the registry on a `Basic`
    challenge), `token` (a registry bearer token sent as is, like `registrytoken` in a Docker
    config), or `identity_token` (an OAuth2 refresh token exchanged at the token server, like
    `identitytoken`; `username` may accompany it).

    Example:
        ```python
        Credentials("robot", "s3cret")
        Credentials(token="eyJhbGciOi...")
        ```
    """

    username: str = ""
    password: str = ""
    token: str = ""
    identity_token: str = ""

    def __repr__(self) -> str:
        shown = [f"username={self.username!r}"] if self.username else []
        shown += [f"{name}='<redacted>'" for name in ("password", "token", "identity_token")
                  if getattr(self, name)]
        return f"Credentials({', '.join(shown)})"

    __str__ = __repr__

    @property
    def fingerprint(self) -> str:
        """A digest that tells credentials apart in cache keys without holding them."""
        material = "\0".join((self.username, self.password, self.token, self.identity_token))
        return hashlib.sha256(material.encode()).hexdigest()

    @property
    def basic(self) -> str | None:
        """The `Authorization` value for Basic authentication, or None without a username or password."""
        if not (self.username or self.password):
            return None
        encoded = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {encoded}"

    def secrets(self) -> set[str]:
        """Every string that must never reach a message: the secrets and their Basic encoding."""
        found = {value for value in (self.password, self.token, self.identity_token) if value}
        basic = self.basic
        if basic is not None and self.password:
            found.add(basic.removeprefix("Basic "))
        return found
