"""The Jinja environment and the rendering of a plan into environment-config.yaml or env lines.

Templates place values and make no decisions. Every value reaches the output through the
``yaml_scalar`` / ``yaml_key`` / ``yaml_comment`` filters (or ``shell_value`` for env files), so no
input can add a key, end a comment early or run template code. The rendered YAML is parsed back and
compared with the intended tree before anyone sees it.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hardener.errors import RenderError
from hardener.resources import templates_dir

if TYPE_CHECKING:
    import jinja2

    from hardener.yaml import Config

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Node:
    """A key in the output tree: either a mapping of children or a value with a comment."""

    key: str
    value: Any = None
    comment: str = ""
    children: tuple[Node, ...] = ()

    @property
    def is_mapping(self) -> bool:
        return bool(self.children)


def yaml_comment(text: str) -> str:
    """One line of comment text: line breaks and control characters cannot end the comment."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def env_name(name: str) -> str:
    """A variable name for a ``NAME=value`` line; anything else is a bug, never output."""
    if not _ENV_NAME.fullmatch(str(name)):
        raise RenderError(f"invalid environment variable name {name!r}")
    return str(name)


def shell_value(value: Any) -> str:
    """A value for a ``NAME=value`` line that POSIX shells and env files read back literally."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return shlex.quote(str(value))


@functools.cache
def environment() -> jinja2.Environment:
    """The shared rendering environment, built once per process (Jinja then compiles each
    template once): see ``new_environment``."""
    return new_environment()


def new_environment() -> jinja2.Environment:
    """A sandboxed environment: StrictUndefined, no autoescape, newline-exact output."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from hardener.yaml import emit_key, emit_scalar

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        yaml_scalar=emit_scalar,
        yaml_key=emit_key,
        yaml_comment=yaml_comment,
        shell_value=shell_value,
        env_name=env_name,
    )
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one template; a template bug surfaces as a RenderError, never as empty text."""
    import jinja2

    try:
        return environment().get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {name}: {exc}") from None


def verify_yaml(text: str, intended: dict[str, Any], name: str = "<generated>") -> Config:
    """Parse rendered YAML back and require it to equal the intended tree exactly; the file as
    read is returned, for the checks that follow."""
    from hardener.yaml import SourceText, read_config

    config = read_config(SourceText(name, text))
    parsed = config.data
    if parsed != intended:
        raise RenderError(
            f"rendered output does not parse back to the intended values: {_diff(parsed, intended)}"
        )
    return config


def _diff(parsed: Any, intended: Any, prefix: str = "") -> str:
    if isinstance(parsed, dict) and isinstance(intended, dict):
        for key in list(intended) + [k for k in parsed if k not in intended]:
            if parsed.get(key, _MISSING) != intended.get(key, _MISSING):
                return _diff(
                    parsed.get(key, _MISSING), intended.get(key, _MISSING), f"{prefix}{key}."
                )
    return f"{prefix.rstrip('.') or '<root>'} differs"


_MISSING = object()
