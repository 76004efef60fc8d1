"""Judging a value against a profile setting: the one place that decides "weaker or not".

``generate`` uses it to refuse site values that would break its own profile, ``merge`` to decide
what to replace and ``check`` to report. Values are compared as Optimize would read them: YAML 1.1
scalars, strings that Optimize coerces ("true", "8090"), and ``${VAR:default}`` placeholders, whose
default is what Optimize uses while the variable is unset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hardener.profiles import Compare, Setting

PLACEHOLDER = re.compile(r"\$\{([a-zA-Z_]+[a-zA-Z0-9_]*)(:(.*))?}")
_WHOLE_PLACEHOLDER = re.compile(r"\$\{([a-zA-Z_]+[a-zA-Z0-9_]*)(?::(.*))?}\Z", re.DOTALL)
_NULLS = (None, "", "~", "null", "Null", "NULL")


@dataclass(frozen=True)
class Placeholder:
    """A scalar that is exactly one ``${NAME}`` or ``${NAME:default}``."""

    name: str
    default: str | None  # None when there is no default part

    @property
    def has_null_default(self) -> bool:
        return self.default is not None and self.default in _NULLS


def as_placeholder(value: Any) -> Placeholder | None:
    """The placeholder a whole scalar consists of, or None."""
    if not isinstance(value, str):
        return None
    match = _WHOLE_PLACEHOLDER.match(value.strip())
    if not match:
        return None
    return Placeholder(name=match.group(1), default=match.group(2))


def render_placeholder(name: str, default: Any = None, *, with_default: bool = False) -> str:
    """``${NAME}`` or ``${NAME:default}``, the default written the way Optimize parses it back."""
    if not with_default:
        return f"${{{name}}}"
    if default is None:
        text = "null"
    elif isinstance(default, bool):
        text = "true" if default else "false"
    else:
        text = str(default)
    return f"${{{name}:{text}}}"


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
    unverifiable: bool = False  # the value comes from a variable with no default


def normalise(value: Any) -> Any:
    """Fold the spellings Optimize treats alike: null-ish, boolean strings, integer strings."""
    if isinstance(value, str):
        text = value.strip()
        if text in _NULLS:
            return None
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        return text
    return value


def judge(setting: Setting, value: Any, context: Context = Context()) -> Verdict:  # noqa: B008
    """Is ``value`` (the user's, as parsed) at least as strong as ``setting`` demands?"""
    if setting.compare is Compare.ANY:
        return Verdict(True)
    if isinstance(value, dict | list):
        kind = "a block of keys" if isinstance(value, dict) else "a list"
        return Verdict(False, f"is {kind}, where Optimize expects a single value")
    placeholder = as_placeholder(value)
    if setting.compare is Compare.PLACEHOLDER:
        return _judge_secret(value, placeholder)
    if placeholder is not None:
        if context.pinned:
            return Verdict(False, f"comes from ${{{placeholder.name}}}, which could weaken it")
        if placeholder.default is None:
            return Verdict(True, f"comes from ${{{placeholder.name}}}", unverifiable=True)
        value = placeholder.default
    return _JUDGES[setting.compare](setting, value, context)


def _judge_secret(value: Any, placeholder: Placeholder | None) -> Verdict:
    if value is None:
        return Verdict(True)
    if placeholder is None:
        return Verdict(False, "a literal secret in the file")
    if placeholder.default is not None and not placeholder.has_null_default:
        return Verdict(False, f"${{{placeholder.name}}} has a literal default secret")
    return Verdict(True)


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
