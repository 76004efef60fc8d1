"""Random secrets that ``init`` owns: the session token secret, keystore password and API token.

Every value comes from the ``secrets`` module (the OS CSPRNG), drawn character by character from a
fixed alphabet so that the length is exact and every character is equally likely. The alphabets
hold no character that needs quoting in an env file, a shell, Docker Compose (``$``) or YAML.

A generated value travels inside a :class:`Secret`, whose ``repr`` and ``str`` never show it: a
secret that reaches a log line, an exception or a test failure message shows up masked.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits
"""Letters and digits: safe in every tool that reads a password (keytool, openssl, shells)."""

URLSAFE = ALNUM + "-_"
"""The base64url alphabet: 6 bits per character."""


@dataclass(frozen=True)
class SecretSpec:
    """How long a secret is and which characters it uses; ``why`` documents the choice."""

    length: int
    alphabet: str
    why: str


TOKEN_SECRET = SecretSpec(
    64,
    URLSAFE,
    "64 base64url characters (384 bits): Camunda asks for at least 64 characters, and HS256 "
    "needs a key of at least 256 bits.",
)
KEYSTORE_PASSWORD = SecretSpec(
    32,
    ALNUM,
    "32 letters and digits (about 190 bits): above the 20-character minimum, and nothing that "
    "keytool, openssl or a shell would mangle.",
)
API_TOKEN = SecretSpec(
    64,
    URLSAFE,
    "64 base64url characters (384 bits): a long-lived bearer token needs at least 32 random bytes.",
)


class Secret:
    """A generated secret; only :meth:`reveal` hands out the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the one place that writes it (the .env file or the keystore)."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"Secret(<{len(self._value)} characters>)"

    __str__ = __repr__


def generate(spec: SecretSpec) -> Secret:
    """A fresh secret of exactly ``spec.length`` characters from ``spec.alphabet``."""
    return Secret("".join(secrets.choice(spec.alphabet) for _ in range(spec.length)))
