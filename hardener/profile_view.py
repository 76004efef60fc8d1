"""Text views of profiles for ``profiles show`` and ``profiles diff``."""

from __future__ import annotations

from typing import Any

from hardener.profiles import Profile, Setting, load_profile


def _value_text(setting: Setting) -> str:
    if setting.secret_env:
        return f"${{<{setting.secret_env}>}}"
    if setting.site:
        return f"<site value {setting.site}>"
    return _show(setting.value)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def show(name: str, target: str | None = None) -> str:
    """Resolved settings, one block each, with the profile each came from."""
    profile = load_profile(name)
    lines = [
        f"profile {profile.name}: {profile.description}",
        f"extends: {' -> '.join(profile.chain)}",
        f"write mode: {profile.write_mode.value} ({profile.write_mode_reason})",
        "",
    ]
    for setting in profile.settings.values():
        if target and not setting.applies_to(target):
            continue
        lines.extend(_setting_lines(profile, setting))
    return "\n".join(lines) + "\n"


def _setting_lines(profile: Profile, setting: Setting) -> list[str]:
    allowed = f" {list(setting.allowed)}" if setting.allowed else ""
    lines = [
        f"{setting.path}",
        f"  value:    {_value_text(setting)}",
        f"  compare:  {setting.compare.value}{allowed}",
        f"  rule:     {setting.rule} {setting.title} ({setting.severity.label})",
        f"  targets:  {', '.join(setting.targets)}",
        f"  from:     {profile.origin[setting.path]}",
        f"  why:      {setting.rationale}",
    ]
    if setting.relaxed:
        lines.append(f"  RELAXED:  {setting.relaxed}")
    lines.append("")
    return lines


def diff(first: str, second: str) -> str:
    """Settings that differ between two profiles, field by field."""
    a, b = load_profile(first), load_profile(second)
    lines = [f"--- {a.name}", f"+++ {b.name}"]
    for path in list(a.settings) + [p for p in b.settings if p not in a.settings]:
        lines.extend(_diff_setting(path, a.settings.get(path), b.settings.get(path)))
    if len(lines) == 2:
        lines.append("(no differences)")
    return "\n".join(lines) + "\n"


def _diff_setting(path: str, left: Setting | None, right: Setting | None) -> list[str]:
    if left is None or right is None:
        present = right if left is None else left
        sign = "+" if left is None else "-"
        assert present is not None
        return [f"{sign} {path}: {_value_text(present)} ({present.rule})"]
    fields = {
        "value": (_value_text(left), _value_text(right)),
        "compare": (left.compare.value, right.compare.value),
        "severity": (left.severity.label, right.severity.label),
        "targets": (", ".join(left.targets), ", ".join(right.targets)),
    }
    changed = [f"    {k}: {x} -> {y}" for k, (x, y) in fields.items() if x != y]
    return [f"~ {path}", *changed] if changed else []
