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


#: The userinfo of a URL (``scheme://user:password@``): everything after ``://`` up to the last
#: ``@`` before the host ends. Linear: a match attempt starts only at ``://`` and cannot run past
#: the next ``/``, which the following ``://`` itself holds, so attempts never overlap.
USERINFO = re.compile(r"://[^\s/?#]*@")


def mask_userinfo(text: str) -> str:
    """``text`` with the userinfo of every URL replaced by ``MASK``: it is a credential whatever
    key holds the URL, and the catalog cannot know which keys a user put a URL in."""
    return USERINFO.sub(f"://{MASK}@", text) if "@" in text else text


def mask(text: str, secrets: Iterable[str] = (), *, min_length: int = 1) -> str:
    """``text`` with URL userinfo and every occurrence of each secret replaced by ``MASK``.

    Longest first, so a secret that contains another is masked whole. Plain ``str.replace``,
    not one regex alternation: a regex tries every secret at every position, which is quadratic
    when a long secret nearly matches long runs of the text. ``min_length`` skips values too
    short to be told apart from ordinary words.
    """
    text = mask_userinfo(text)
    values = sorted({s for s in secrets if len(s) >= max(min_length, 1)}, key=len, reverse=True)
    for value in values:
        text = text.replace(value, MASK)
    return text
