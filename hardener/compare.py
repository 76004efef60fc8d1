"""Judging a value against a profile setting: the one place that decides "weaker or not".

``generate`` uses it to refuse site values that would break its own profile, ``merge`` to decide
what to replace and ``check`` to report. Values are judged as Optimize holds them (``model``):
placeholders resolved the way Optimize resolves them, a default used while its variable is unset,
and strings that Optimize coerces ("true", "8090") folded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hardener.model import Seen, as_placeholder, evaluate
from hardener.profiles import Compare, Setting

_NULLS = (None, "", "~", "null", "Null", "NULL")
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class Context:
    """What the judgement needs to know beyond the value itself."""

    pinned: bool = False  # profile writes literals: a placeholder on a hardened key is weaker
    strict: bool = False  # the profile is (or extends) strict
    serves_https: bool = True
    http_only: bool = False


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def normalise(value: Any) -> Any:
    """Fold the spellings Optimize treats alike: null-ish, boolean strings, integer strings."""
    if isinstance(value, str):
        text = value.strip()
        if text in _NULLS:
            return None
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        if _INTEGER.fullmatch(text):
            return int(text)
        return text
    return value


def judge(setting: Setting, value: Any, context: Context = Context()) -> Verdict:  # noqa: B008
    """Is ``value`` at least as strong as ``setting`` demands, as Optimize would hold it?

    ``value`` is a ``model.Seen`` or a raw value as written (the file's, a site value).
    """
    if setting.compare is Compare.ANY:
        return Verdict(True)
    seen = value if isinstance(value, Seen) else evaluate(value)
    if setting.compare is Compare.PLACEHOLDER:
        return _judge_secret(seen)
    if seen.is_placeholder:
        names = ", ".join(f"${{{name}}}" for name in seen.variables)
        if context.pinned and seen.present:  # the shipped defaults' own variables are Optimize's
            return Verdict(False, f"comes from {names}, which could weaken it")
        if not seen.known:
            return Verdict(True, f"comes from {names}")  # nothing in the file to judge
    if isinstance(seen.value, dict | list):
        kind = "a block of keys" if isinstance(seen.value, dict) else "a list"
        return Verdict(False, f"is {kind}, where Optimize expects a single value")
    return _JUDGES[setting.compare](setting, seen.value, context)


def _judge_secret(seen: Seen) -> Verdict:
    if seen.raw is None:
        return Verdict(True)
    if not seen.present:  # Optimize's default: no secret, or one that everybody knows
        if seen.value in (None, ""):
            return Verdict(True)
        return Verdict(False, "Optimize's shipped default is publicly known")
    if not seen.is_placeholder:
        return Verdict(False, "a literal secret in the file")
    if not seen.literal or seen.value in (None, ""):
        return Verdict(True)
    whole = as_placeholder(seen.raw)
    if whole is not None:
        return Verdict(False, f"${{{whole.name}}} has a literal default secret")
    return Verdict(False, "part of the secret is literal text in the file")


def _equal(setting: Setting, value: Any, context: Context) -> Verdict:
    if normalise(value) == normalise(setting.value):
        return Verdict(True)
    return Verdict(False, f"is not {_show(setting.value)}")


def _at_least(setting: Setting, value: Any, context: Context) -> Verdict:
    number = _number(value)
    if number is not None and number >= int(setting.value):
        return Verdict(True)
    return Verdict(False, f"is below {setting.value}")


def _at_most(setting: Setting, value: Any, context: Context) -> Verdict:
    number = _number(value)
    if number is not None and 0 < number <= int(setting.value):
        return Verdict(True)
    return Verdict(False, f"is above {setting.value}")


def _https(setting: Setting, value: Any, context: Context) -> Verdict:
    text = normalise(value)
    if isinstance(text, str) and text.lower().startswith("https://"):
        return Verdict(True)
    return Verdict(False, "is not an https:// URL")


def _not_in(setting: Setting, value: Any, context: Context) -> Verdict:
    folded = normalise(value)
    banned = {_fold(normalise(v)) for v in setting.allowed}
    if _fold(folded) in banned:
        return Verdict(False, f"{_show(value)} is not allowed here")
    return Verdict(True)


def _one_of(setting: Setting, value: Any, context: Context) -> Verdict:
    allowed = {_fold(normalise(v)) for v in setting.allowed}
    if _fold(normalise(value)) in allowed:
        return Verdict(True)
    return Verdict(False, f"must be one of {', '.join(_show(v) for v in setting.allowed)}")


def _csp(setting: Setting, value: Any, context: Context) -> Verdict:
    from hardener.csp import analyse_csp

    text = normalise(value)
    issues = analyse_csp(
        text if isinstance(text, str) else None,
        serves_https=context.serves_https,
        http_only=context.http_only,
        strict=context.strict,
    )
    if not issues:
        return Verdict(True)
    return Verdict(False, "; ".join(f"{i.code}: {i.message}" for i in issues[:3]))


_JUDGES = {
    Compare.EQUAL: _equal,
    Compare.AT_LEAST: _at_least,
    Compare.AT_MOST: _at_most,
    Compare.HTTPS: _https,
    Compare.NOT_IN: _not_in,
    Compare.ONE_OF: _one_of,
    Compare.CSP: _csp,
}


def _number(value: Any) -> int | None:
    folded = normalise(value)
    if isinstance(folded, bool) or not isinstance(folded, int):
        return None
    return folded


def _fold(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
