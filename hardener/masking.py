"""Keeping secrets out of every output: one mask, one function that applies it.

Reports, diffs and messages are built so that they never print a credential; masking is the
safety net under that rule. Every output path that could carry text from a user's file (merge's
report and diff, check's messages and fixes) passes through ``mask``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "********"
"""What a secret value is printed as, everywhere."""

_SECRET_WORDS = (
    "password", "passwd", "pwd", "secret", "token", "credentials", "apikey", "api-key",
    "accesstoken", "clientsecret",
)  # fmt: skip


def looks_secret(key: str) -> bool:
    """A key whose name says it holds a credential, whatever the catalog knows."""
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def mask(text: str, secrets: Iterable[str], *, min_length: int = 1) -> str:
    """``text`` with every occurrence of each secret replaced by ``MASK``, longest first.

    One pass over the text with one alternation, so a secret that contains another is masked
    whole. ``min_length`` skips values too short to be told apart from ordinary words.
    """
    values = sorted({s for s in secrets if len(s) >= max(min_length, 1)}, key=len, reverse=True)
    if not values:
        return text
    return re.compile("|".join(re.escape(value) for value in values)).sub(MASK, text)
