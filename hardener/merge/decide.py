"""Harden an existing config: decide per profile setting what to add, replace, keep or waive.

The decisions use the same profile settings and the same judge (``compare.judge``) as ``check``;
the text work is done by ``textedit`` (span edits only), and the result is verified twice before
anyone may write it: every intended value is present (``textedit``), and every line that holds no
changed value is byte-identical while every user value outside the changes is unchanged (here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from hardener.catalog import Catalog, format_path, load_catalog
from hardener.compare import Context, judge, normalise
from hardener.errors import MergeError
from hardener.masking import MASK
from hardener.merge.edit import Edit, apply_edits
from hardener.merge.preserve import check_preserved
from hardener.model import View, as_placeholder
from hardener.plan import context_for, secret_placeholder, site_database, written_form
from hardener.profiles import DATABASES, Compare, Profile, Setting, expand_setting_path
from hardener.values import SiteValues
from hardener.waivers import Waiver, find_waiver, inline_waivers
from hardener.yaml import Config, DocPath, SourceText, emit_scalar, lookup, parse_text, read_config

Action = Literal["added", "replaced", "kept", "waived"]
_DEFAULT_ALIAS = "camunda-bpm"


@dataclass(frozen=True)
class Change:
    """One profile setting at one path, and what the merge did with it."""

    path: str
    line: int  # line in the file as given (an added key: its nearest existing parent, or 1)
    action: Action
    rule: str
    why: str
    old: str | None = None  # display text; secrets masked
    new: str | None = None
    variable: str | None = None  # a variable the operator must now set
    waiver: str | None = None  # where the accepting waiver is, with its reason


@dataclass(frozen=True)
class MergeResult:
    name: str
    original: bytes
    merged: bytes
    changes: list[Change] = field(default_factory=list)
    secrets: tuple[str, ...] = ()  # literal secret values found in the input, to mask in diffs
    touched_lines: frozenset[int] = frozenset()  # lines of the original that edits rewrote

    @property
    def changed(self) -> bool:
        return self.original != self.merged

    @property
    def variables(self) -> list[str]:
        return sorted({c.variable for c in self.changes if c.variable and c.action != "kept"})


@dataclass(frozen=True)
class _Decision:
    setting: Setting
    path: DocPath
    action: Action
    current: Any = None
    present: bool = False
    written: Any = None
    variable: str | None = None
    waiver: Waiver | None = None


def merge_source(
    source: SourceText,
    original: bytes,
    profile: Profile,
    target: str,
    site: SiteValues,
    *,
    explicit_site: Iterable[str] = (),
    file_waivers: Sequence[Waiver] = (),
    use_inline_waivers: bool = True,
    today: dt.date | None = None,
) -> MergeResult:
    """Merge ``profile`` into one decoded config; nothing is written here."""
    config = read_config(source)
    plain = config.data
    catalog = load_catalog(target)
    view = View(config, target)
    inline = inline_waivers(source.text, source.name) if use_inline_waivers else {}
    ctx = _context(profile, view)
    decider = _Decider(profile, catalog, site, set(explicit_site), ctx, view)
    decisions = decider.decide(plain)
    decisions = [
        _apply_waiver(d, config, inline, file_waivers, today or dt.date.today()) for d in decisions
    ]
    edits = [_edit(d) for d in decisions if d.action in ("added", "replaced")]
    new_text, applied = apply_edits(source, edits, config.nodes)
    _verify_preserved(source, new_text, applied, plain, decisions)
    merged = (b"\xef\xbb\xbf" if source.bom else b"") + new_text.encode("utf-8")
    if not edits:
        merged = original  # byte for byte, including anything decoding normalised
    secrets = tuple(_literal_secrets(view, catalog))
    changes = [_change(d, config, catalog) for d in decisions]
    touched = frozenset(line for edit in applied for line in edit.old_lines)
    return MergeResult(source.name, original, merged, changes, secrets, touched)


def _context(profile: Profile, view: View) -> Context:
    """Users reach Optimize over plain HTTP when its access URL says so (CSP upgrade rule)."""
    access = view.get(("container", "accessUrl")).value
    http_only = isinstance(access, str) and access.lower().startswith("http://")
    return replace(context_for(profile), http_only=http_only)


class _Decider:
    """Expands profile paths against the user's document and decides each one."""

    def __init__(
        self,
        profile: Profile,
        catalog: Catalog,
        site: SiteValues,
        explicit: set[str],
        ctx: Context,
        view: View,
    ) -> None:
        self.profile, self.catalog, self.site = profile, catalog, site
        self.explicit, self.ctx, self.view = explicit, ctx, view

    def decide(self, plain: Mapping[str, Any]) -> list[_Decision]:
        decisions: list[_Decision] = []
        new_engine = self.catalog.target == "c7" and not isinstance(plain.get("engines"), dict)
        for setting in self.profile.for_target(self.catalog.target):
            for path in self._paths(setting, plain, new_engine):
                decision = self._decide(setting, path, plain, creating=new_engine)
                if decision is not None:
                    decisions.append(decision)
        return decisions

    def _paths(self, setting: Setting, plain: Mapping[str, Any], new_engine: bool) -> list[DocPath]:
        """The file's database sections (the site's when it has none) and engine aliases (the
        site's for an engine merge creates)."""
        present = [s for s in DATABASES if isinstance(plain.get(s), dict)]
        engines = plain.get("engines")
        aliases = [str(a) for a in engines] if isinstance(engines, dict) and engines else []
        if not aliases and new_engine:
            aliases = [str(self.site.values["engine.alias"])]
        databases = present or [site_database(self.site)]
        return expand_setting_path(setting.path, databases, lambda _: aliases)

    def _decide(
        self, setting: Setting, path: DocPath, plain: Mapping[str, Any], *, creating: bool
    ) -> _Decision | None:
        present, current = lookup(plain, path)
        if setting.compare is Compare.ANY and not (creating and path[0] == "engines"):
            return None  # structure and site facts: only written into blocks merge creates
        written = self._intended(setting, path, current if present else None)
        if written is _SKIP:
            return None
        if not present:
            blocker = _scalar_parent(plain, path)
            if blocker is not None:
                raise MergeError(self._blocked(path, blocker))
            return _Decision(setting, path, "added", None, False, written, self._var(setting))
        if isinstance(current, dict) and not _is_collection_setting(setting):
            raise MergeError(
                f"{format_path(path)} holds a block of keys where Optimize expects a single "
                "value; fix it by hand (merge never removes keys)"
            )
        verdict = judge(setting, self.view.get(path), self.ctx)
        if verdict.ok and not _empty_required_secret(setting, current):
            return _Decision(setting, path, "kept", current, True, None, None)
        return _Decision(setting, path, "replaced", current, True, written, self._var(setting))

    def _blocked(self, path: DocPath, parent: DocPath) -> str:
        config = self.view.config
        anchor = config.aliases.get(parent) if config is not None else None
        if anchor is not None:
            return (
                f"cannot add {format_path(path)}: {format_path(parent)} is an alias (*{anchor}), "
                f"which Optimize reads as the text {anchor!r}, not as the anchored block; "
                "write the block out in place of the alias"
            )
        return f"cannot add {format_path(path)}: a parent key holds a value, not a block"

    def _var(self, setting: Setting) -> str | None:
        """The variable an operator must set for this setting (optional secrets need none)."""
        if setting.compare is Compare.PLACEHOLDER and setting.secret_env and not setting.optional:
            return str(self.site.values[setting.secret_env])
        return None

    def _intended(self, setting: Setting, path: DocPath, current: Any) -> Any:
        if setting.compare is Compare.PLACEHOLDER:
            return secret_placeholder(setting, self.site)
        value = self._site_value(setting, current) if setting.site else setting.value
        if setting.optional and value in (None, "", []):
            return _SKIP
        return written_form(self.profile, setting, value, self.catalog.env_for(path))

    def _site_value(self, setting: Setting, current: Any) -> Any:
        """A site value the user gave wins; else an http URL is upgraded in place."""
        assert setting.site is not None
        if (
            setting.compare is Compare.HTTPS
            and setting.site not in self.explicit
            and isinstance(current, str)
            and current.lower().startswith("http://")
        ):
            return "https://" + current[len("http://") :]
        return self.site.values[setting.site]


_SKIP = object()


def _empty_required_secret(setting: Setting, current: Any) -> bool:
    """An explicit null or '' secret is no better than an absent one: merge writes the
    placeholder (check reports it through its dedicated rules, e.g. missing credentials)."""
    return (
        setting.compare is Compare.PLACEHOLDER
        and not setting.optional
        and normalise(current) is None
    )


def _is_collection_setting(setting: Setting) -> bool:
    return isinstance(setting.value, dict | list) or setting.compare is Compare.ANY


def _apply_waiver(
    decision: _Decision,
    config: Config,
    inline: Mapping[int, list[Waiver]],
    file_waivers: Sequence[Waiver],
    today: dt.date,
) -> _Decision:
    if decision.action in ("kept",):
        return decision
    lines = [config.line_of(decision.path)] if decision.present else []
    waiver = find_waiver(
        decision.setting.rule, format_path(decision.path), lines, inline, file_waivers, today
    )
    if waiver is None:
        return decision
    return _Decision(
        decision.setting, decision.path, "waived", decision.current, decision.present,
        None, None, waiver,
    )  # fmt: skip


def _edit(decision: _Decision) -> Edit:
    setting = decision.setting
    comment = None
    if decision.action == "added":  # short and greppable; 'explain RULE' tells the whole story
        comment = f"{setting.rule} {setting.title}"
    return Edit(decision.path, emit_scalar(decision.written), comment)


def _verify_preserved(
    source: SourceText,
    new_text: str,
    applied: Sequence[Any],
    plain: Mapping[str, Any],
    decisions: Sequence[_Decision],
) -> None:
    allowed = {line for edit in applied for line in edit.old_lines}
    problems = check_preserved(source.text, new_text, allowed)
    if problems:
        first = problems[0]
        raise MergeError(
            f"merge would alter line {first.old_line} ({first.message}); nothing was written",
            file=source.name,
        )
    changed = {d.path for d in decisions if d.action in ("added", "replaced")}
    below = {c[:n] for c in changed for n in range(len(c) + 1)}  # every prefix of a change
    after = parse_text(new_text, source.name)
    for path, value in _leaves(plain):
        # Skip leaves that were changed, lie inside a change, or are an empty or null block
        # that received keys.
        if path in below or any(path[:n] in changed for n in range(len(path))):
            continue
        present, now = lookup(after, path)
        if not present or now != value:
            raise MergeError(
                f"merge would change the user value at {format_path(path)}; nothing was written",
                file=source.name,
            )


def _change(decision: _Decision, config: Config, catalog: Catalog) -> Change:
    setting = decision.setting
    spec = catalog.lookup(decision.path)
    secret = bool(spec and spec.secret)
    line = config.line_of(decision.path)  # in the file as given; added keys: their parent
    waiver = None
    if decision.waiver is not None:
        waiver = f"{decision.waiver.source}: {decision.waiver.reason}"
    return Change(
        path=format_path(decision.path),
        line=line,
        action=decision.action,
        rule=setting.rule,
        why=setting.rationale,
        old=_display(decision.current, secret) if decision.present else None,
        new=_display(decision.written, secret)
        if decision.action in ("added", "replaced")
        else None,
        variable=decision.variable,
        waiver=waiver,
    )


def _display(value: Any, secret: bool) -> str:
    if secret and value not in (None, "") and as_placeholder(value) is None:
        return MASK
    placeholder = as_placeholder(value)
    if secret and placeholder is not None and placeholder.default not in (None, "null", ""):
        return f"${{{placeholder.name}:{MASK}}}"
    return emit_scalar(value) if not isinstance(value, str) else value


def _literal_secrets(view: View, catalog: Catalog) -> Iterable[str]:
    """Secret text in the file, as written and as Optimize resolves it, to mask in diffs."""
    for path, value in _leaves(view.data):
        spec = catalog.lookup(path)
        if spec and spec.secret and isinstance(value, str) and value:
            placeholder = as_placeholder(value)
            seen = view.get(path)
            if placeholder is None:
                yield value
                if seen.literal and isinstance(seen.value, str) and seen.value:
                    yield seen.value
            elif placeholder.default not in (None, "", "null"):
                yield placeholder.default


# --------------------------------------------------------------------------------------------
# Small tree helpers
# --------------------------------------------------------------------------------------------


def _scalar_parent(plain: Mapping[str, Any], path: DocPath) -> DocPath | None:
    """The ancestor of ``path`` that holds a value (not a block), which blocks adding it."""
    node: Any = plain
    for depth, part in enumerate(path[:-1], start=1):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
        if node is not None and not isinstance(node, dict):
            return path[:depth]
    return None


def _leaves(tree: Any, prefix: DocPath = ()) -> Iterable[tuple[DocPath, Any]]:
    if isinstance(tree, dict) and tree:
        for key, value in tree.items():
            yield from _leaves(value, (*prefix, key))
    elif isinstance(tree, list) and tree and all(isinstance(i, dict) for i in tree):
        for index, value in enumerate(tree):
            yield from _leaves(value, (*prefix, index))
    else:
        yield prefix, tree
