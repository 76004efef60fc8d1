"""Text views of profiles for ``profiles show`` and ``profiles diff``."""

from __future__ import annotations

import functools
from typing import Any

from hardener.profiles import DATABASES, Profile, Setting, load_profile

HIDDEN = "<literal secret, not shown>"


def _value_text(setting: Setting) -> str:
    if setting.secret_env:
        return f"${{<{setting.secret_env}>}}"
    if setting.site:
        return f"<site value {setting.site}>"
    if setting.value not in (None, "") and _on_secret_key(setting):
        return HIDDEN  # a custom profile may pin one; the terminal is no place for it
    return _show(setting.value)


@functools.cache
def _secret_patterns() -> frozenset[str]:
    from hardener.catalog import TARGETS, load_catalog

    return frozenset(p for target in TARGETS for p in load_catalog(target).secret_patterns())


def _on_secret_key(setting: Setting) -> bool:
    paths = {setting.path.replace("{db}", db) for db in DATABASES}
    return not paths.isdisjoint(_secret_patterns())


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def show(name: str, target: str | None = None) -> str:
    """Resolved settings, one block each, with the profile each came from."""
    from hardener.catalog import check_target

    if target is not None:
        check_target(target)
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


def markdown_table(names: tuple[str, ...] = ("strict", "standard", "dev")) -> str:
    """The README table of what each built-in profile sets and why, generated from the data."""
    profiles = [load_profile(n) for n in names]
    paths: list[str] = []
    for profile in profiles:
        paths.extend(p for p in profile.settings if p not in paths)
    header = "| Setting | Rule | " + " | ".join(p.name for p in profiles) + " | Why |"
    lines = [header, "|" + "---|" * (len(profiles) + 3)]
    for path in paths:
        cells = [_cell(p.settings.get(path)) for p in profiles]
        first = next(p.settings[path] for p in profiles if path in p.settings)
        lines.append(
            f"| `{path}` | {first.rule} | " + " | ".join(cells) + f" | {_escape(first.rationale)} |"
        )
    return "\n".join(lines) + "\n"


def _cell(setting: Setting | None) -> str:
    if setting is None:
        return "–"
    if setting.secret_env:
        text = "env `${VAR}`"
    elif setting.site:
        text = "site value"
    else:
        value = _value_text(setting)
        text = f"`{_escape(value if len(value) <= 40 else value[:37] + '…')}`"
    if setting.compare.value not in ("equal", "any", "placeholder"):
        text += f" ({setting.compare.value})"
    if setting.relaxed:
        text += " **relaxed**"
    return text


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


START_MARK, END_MARK = "<!-- profile-table:start -->\n", "<!-- profile-table:end -->"


def update_readme(path: str) -> bool:
    """Rewrite the profile table between the README markers; True when the file changed."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(START_MARK) + len(START_MARK), text.index(END_MARK)
    updated = text[:start] + markdown_table() + text[end:]
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    import sys

    changed = update_readme(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print("updated" if changed else "unchanged")
