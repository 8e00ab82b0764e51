"""The redaction engine: walks captured values, redacting by name (keys) and by content (strings).

Public surface the rest of debugtape relies on: `Redactor.redact`, `Redactor.redact_text`,
`RedactionStats`, `load_redactor`, `KEY_FILE`. Both redact methods never raise: whatever they
cannot process becomes a marker (fail closed).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from debugtape.redact.config import RedactConfig, Rule, load_config
from debugtape.redact.keyfile import KEY_FILE, load_key
from debugtape.redact.keys import KeyPolicy, literal_pieces
from debugtape.redact.luhn import card_like
from debugtape.redact.markers import MARKER_RE, Fingerprinter, fixed_marker, is_marker
from debugtape.redact.patterns import ValuePattern
from debugtape.redact.scanner import TextScanner, unquote
from debugtape.redact.stats import RedactionStats

__all__ = ["Redactor", "RedactionStats", "Rule", "load_redactor", "KEY_FILE"]

log = logging.getLogger(__name__)

_MAX_DEPTH = 100
_MIN_SCAN = 6  # no secret rule can match a shorter string
_CLEAN_CACHE_MAX = 200_000
_CLEAN_CACHE_LEN = 512
_CARD_MIN = 10**12
_CARD_LO = -_CARD_MIN
# A debugger pointer, alone (`0x4052a0`) or before its text (`0x4052a0 "abc"`): a clue, never a
# secret, and unique, so it is never cached; only the text after it is scanned (and cached).
# Matched against the whole string, or the part before its first space.
_pointer = re.compile(r"0x[0-9a-fA-F]{1,16}").fullmatch
_ADDR = re.compile(r"(0x[0-9a-fA-F]+)(?:\s+(.*))?\Z", re.S)
_FLAG = re.compile(r"--?([A-Za-z][\w.\-]{1,63})\Z")
_NAME = re.compile(r"[A-Za-z_][\w.\-]{0,63}\Z")
# Dict keys whose values are names of things, not values: {"types": {"password": "char *"}}.
_NAME_MAPS = frozenset(("types",))
# {"name": "Authorization", "value": "..."}: the sibling that names the value.
_NAME_FIELDS = ("name", "key", "header", "variable", "evaluateName")
_VALUE_FIELDS = frozenset(("value", "val", "result"))


class Redactor:
    """Replaces secret values by `[REDACTED:<kind>:<fingerprint>]` markers."""

    def __init__(self, key: bytes | None = None, config: RedactConfig | None = None,
                 extra_rules: Iterable[Rule] = ()) -> None:
        config = (config or RedactConfig()).with_rules(extra_rules)
        self.config = config
        self._fp = Fingerprinter(key or secrets.token_bytes(32))
        deny = [(r.key, r.kind) for r in config.rules if r.key is not None and not r.allow]
        allow = [r.key for r in config.rules if r.key is not None and r.allow]
        self._keys = KeyPolicy(deny, allow)
        patterns = [ValuePattern(r.kind, re.compile(r.pattern)) for r in config.rules
                    if r.pattern is not None and not r.allow]
        allow_values = [re.compile(r.pattern) for r in config.rules
                        if r.pattern is not None and r.allow]
        extra_words = [w for k, _ in deny for w in literal_pieces(k)]
        self._scanner = TextScanner(self._fp, self._keys, patterns, allow_values, extra_words)
        # Strings seen clean before (paths, symbols, types repeat in every frame) skip the scan.
        self._clean: set[str] = set()
        self._plain_keys: set[str] = set()  # names that are not secret and need no scan
        self._min_scan = 1 if patterns else _MIN_SCAN
        self._type_names: set[str] = set()  # names in `types` maps seen (and scanned) before
        # Value fields that are not secret by their own name (a config rule may make them so):
        # without a naming sibling ({"name": "password", "value": ...}) they are plain.
        self._value_fields = frozenset(f for f in _VALUE_FIELDS if self._keys.kind(f) is None)
        # What the hot loop of `_dict` reads, fetched with one attribute load per dict.
        self._hot = (self._plain_keys, self._clean)

    # -- public API ---------------------------------------------------------------------------

    def marker(self, kind: str, value: str) -> str:
        return self._fp.marker(kind, value)

    def key_kind(self, name: str) -> str | None:
        """The marker kind if values under this name are secret, else None."""
        return self._keys.kind(name)

    def redact(self, value: Any) -> tuple[Any, RedactionStats]:
        """Redact a JSON-like value at every depth; never raises."""
        stats = RedactionStats()
        try:
            return self._walk(value, None, stats, 0), stats
        except Exception:  # fail closed: the whole value goes
            log.exception("redaction failed; the value is dropped")
            stats.add("error")
            return fixed_marker("error", "unprocessable"), stats

    def redact_text(self, text: str) -> tuple[str, RedactionStats]:
        """Redact secrets inside free text (log lines, command lines, JSON text); never raises."""
        stats = RedactionStats()
        if not isinstance(text, str):
            return self.redact(text)  # type: ignore[return-value]
        try:
            return self._text(text, stats), stats
        except Exception:
            log.exception("redaction failed; the text is dropped")
            stats.add("error")
            return fixed_marker("error", "unprocessable"), stats

    # -- the walk -----------------------------------------------------------------------------

    def _text(self, s: str, stats: RedactionStats) -> str:
        clean = self._clean
        if s in clean:
            return s
        if len(s) >= self._min_scan:
            head, space, rest = s.partition(" ")
            if _pointer(head) is not None:
                if not space:
                    return s
                out_rest = rest if rest in clean else self._text(rest, stats)
                return s if out_rest is rest else head + " " + out_rest
            try:
                out = self._scanner.scan(s, stats)
            except Exception:
                log.exception("string redaction failed; the string is dropped")
                stats.add("error")
                return fixed_marker("error", "unprocessable")
            if out is not s or len(s) > _CLEAN_CACHE_LEN:
                return out
        # Clean (a string too short for any rule always is): remembered, so that the hot loops
        # skip it next time.
        if len(clean) >= _CLEAN_CACHE_MAX:
            clean.clear()
        clean.add(s)
        return s

    def _walk(self, v: Any, kind: str | None, stats: RedactionStats, depth: int) -> Any:
        t = type(v)
        if t is str:
            return self._secret(v, kind, stats) if kind else self._text(v, stats)
        if t is int:
            if kind:
                return self._secret(v, kind, stats)
            if (v >= _CARD_MIN or v <= -_CARD_MIN) and card_like(str(abs(v))):
                stats.add("card")
                return self._fp.marker("card", str(abs(v)))
            return v
        if v is None or t is bool:
            return v
        if t is float:
            return self._secret(v, kind, stats) if kind else v
        if t is dict or isinstance(v, Mapping):
            d = v if t is dict else dict(v)
            return self._dict_under(d, kind, stats, depth) if kind else self._dict(d, stats, depth)
        if t is list or isinstance(v, (list, tuple)):
            return self._list_under(v, kind, stats, depth) if kind else self._list(v, stats, depth)
        if isinstance(v, str):  # str subclasses
            return self._walk(str(v), kind, stats, depth)
        if isinstance(v, (bytes, bytearray)):
            return self._walk(bytes(v).decode("utf-8", "replace"), kind, stats, depth)
        if isinstance(v, int):
            return self._walk(int(v), kind, stats, depth)
        if isinstance(v, float):
            return self._walk(float(v), kind, stats, depth)
        stats.add("unknown_type")
        return fixed_marker("unknown_type", type(v).__name__)

    def _dict_under(self, d: dict[Any, Any], kind: str, stats: RedactionStats, depth: int) -> Any:
        """A dict under a secret name: every value in it is that secret (names still decide
        nothing), only the names are kept."""
        if depth >= _MAX_DEPTH:
            stats.add("depth")
            return fixed_marker("depth", "too_deep")
        walk = self._walk
        d1 = depth + 1
        out: dict[Any, Any] = {}
        for k, x in d.items():
            ks = k if type(k) is str else str(walk(k, None, stats, d1))
            out[ks] = walk(x, kind, stats, d1)
        return out

    def _dict(self, d: dict[Any, Any], stats: RedactionStats, depth: int) -> Any:
        if depth >= _MAX_DEPTH:
            stats.add("depth")
            return fixed_marker("depth", "too_deep")
        # The hot loop of the engine. The output starts as a copy made in C and only the
        # values that change are written back. Names seen before as plain (not secret, not
        # special, nothing to scan) with clean scalar values are settled inline, without a
        # call per value; every other name goes through `_entry`. A pointer is settled by one
        # regex call on its head and a cache lookup of its text, the same verdict as `_text`.
        plain, clean = self._hot
        out = d.copy()
        renamed: dict[Any, str] | None = None
        for k, x in d.items():
            if k in plain or k in self._value_fields and d.keys().isdisjoint(_NAME_FIELDS):
                tx = type(x)
                if tx is str:
                    if x in clean:
                        continue
                    if " " in x:
                        head, _, rest = x.partition(" ")
                        if rest in clean and _pointer(head) is not None:
                            continue  # a pointer before a clean text
                    elif _pointer(x) is not None:
                        continue  # a bare pointer
                    y = self._text(x, stats)
                    if y is not x:
                        out[k] = y
                elif tx is int:
                    if not _CARD_LO < x < _CARD_MIN:
                        out[k] = self._walk(x, None, stats, depth + 1)
                elif tx is dict:
                    out[k] = self._dict(x, stats, depth + 1)
                elif tx is list:
                    out[k] = self._list(x, stats, depth + 1)
                elif not (x is None or tx is float or tx is bool):
                    out[k] = self._walk(x, None, stats, depth + 1)
                continue
            if k in _NAME_MAPS and type(x) is dict:
                out[k] = self._names_map(x, stats, depth)
                continue
            ks = self._entry(d, k, x, out, stats, depth)
            if ks is not k:
                renamed = renamed or {}
                renamed[k] = ks
        return _rekeyed(out, renamed) if renamed else out

    def _names_map(self, x: dict[Any, Any], stats: RedactionStats, depth: int) -> dict[str, Any]:
        """{"types": {"password": "char *"}}: the keys are names of things, the values types."""
        clean, names = self._clean, self._type_names
        # The same map comes with every frame: names and type names all seen before are
        # settled in C (a str subclass equal to a clean type name passes as it is).
        try:
            if names.issuperset(x) and clean.issuperset(x.values()):
                return x.copy()
        except TypeError:
            pass  # an unhashable value: the loop below deals with it
        out = x.copy()
        renamed: dict[Any, str] | None = None
        for n, t in x.items():
            if type(n) is str and len(n) < 16:
                ns = n
            else:  # a long name may hold a secret, as in any dict; other names become strings
                ns = self._text(n, stats) if type(n) is str else str(self._walk(n, None, stats, depth + 2))
            if ns is not n:
                renamed = renamed or {}
                renamed[n] = ns
            elif n not in names:
                if len(names) >= _CLEAN_CACHE_MAX:
                    names.clear()
                names.add(n)
            if type(t) is not str or t not in clean:
                out[n] = self._walk(t, None, stats, depth + 2)
        return _rekeyed(out, renamed) if renamed else out

    def _entry(self, d: Mapping[Any, Any], k: Any, x: Any, out: dict[Any, Any],
               stats: RedactionStats, depth: int) -> str:
        """One dict entry whose name is new, secret, long or special (the slow path).

        Sets `out[k]` (under the original name) and returns the name the output uses: `k`
        itself, or its string form or redacted form."""
        walk = self._walk
        if type(k) is str:
            ks = k if len(k) < 16 else self._text(k, stats)
        else:
            ks = walk(k, None, stats, depth + 1)
            if not isinstance(ks, str):
                ks = str(ks)
        child = self._keys.kind(ks)
        if child is None:
            if ks in _VALUE_FIELDS:
                child = self._named_kind(d)
            elif ks in _NAME_MAPS:
                if isinstance(x, Mapping):
                    out[k] = self._names_map(dict(x), stats, depth)
                    return ks
            elif ks is k and type(k) is str:
                if len(self._plain_keys) >= _CLEAN_CACHE_MAX:
                    self._plain_keys.clear()
                self._plain_keys.add(k)
        out[k] = walk(x, child, stats, depth + 1)
        return ks

    def _named_kind(self, d: Mapping[Any, Any]) -> str | None:
        for f in _NAME_FIELDS:
            name = d.get(f)
            if type(name) is str and name:
                kind = self._keys.kind(name)
                if kind:
                    return kind
        return None

    def _list_under(self, items: list[Any] | tuple[Any, ...], kind: str, stats: RedactionStats,
                    depth: int) -> Any:
        if depth >= _MAX_DEPTH:
            stats.add("depth")
            return fixed_marker("depth", "too_deep")
        walk = self._walk
        return [walk(x, kind, stats, depth + 1) for x in items]

    def _list(self, items: list[Any] | tuple[Any, ...], stats: RedactionStats, depth: int) -> Any:
        if depth >= _MAX_DEPTH:
            stats.add("depth")
            return fixed_marker("depth", "too_deep")
        for x in items:  # numbers (flags, buffers, arrays) settled in one tight loop
            if type(x) is not int or not _CARD_LO < x < _CARD_MIN:
                break
        else:
            return list(items)
        # As in `_dict`: a copy made in C, with only the items that change written back.
        out = list(items)
        follow: str | None = None  # set by a secret flag (--password) or a header pair's name
        pair = len(items) == 2 and type(items[0]) is str
        clean = self._clean
        d1 = depth + 1
        for i, x in enumerate(items):
            if follow:
                out[i] = self._walk(x, follow, stats, d1)
                follow = None
                continue
            tx = type(x)
            if tx is str:
                if x not in clean:
                    y = self._text(x, stats)
                    if y is not x:
                        out[i] = y
                if x and (pair and i == 0 or x[0] == "-"):
                    follow = self._follow(x, items, pair and i == 0)
            elif tx is dict:
                out[i] = self._dict(x, stats, d1)
            elif not (tx is int and _CARD_LO < x < _CARD_MIN):
                out[i] = self._walk(x, None, stats, d1)  # lists, card-sized ints, floats, ...
        return out

    def _follow(self, x: str, items: list[Any] | tuple[Any, ...], first_of_pair: bool) -> str | None:
        """The kind of secret the next item holds after `--password` or a ("Cookie", ...) pair."""
        if first_of_pair and not isinstance(items[1], (Mapping, list, tuple)) and _NAME.match(x):
            return self._keys.kind(x)
        if x[0] == "-" and (m := _FLAG.match(x)):
            return self._keys.kind(m.group(1))
        return None

    def _secret(self, v: str | int | float, kind: str, stats: RedactionStats) -> str | int | float:
        """A value held under a secret name: everything but its address goes."""
        if type(v) is not str:
            stats.add(kind)
            return self._fp.marker(kind, str(v))
        s = v
        if not s or is_marker(s):
            return s
        prefix = ""
        m = _ADDR.match(s)
        if m:
            if m.group(2) is None:
                return s  # a bare pointer is a clue, not the secret
            prefix, s = m.group(1) + " ", m.group(2)
            if is_marker(s):
                return v
        secret = unquote(s)
        if not secret.strip():
            return v
        if "[REDACTED:" in s:
            # Partly redacted already (e.g. by a scan): finish the job without re-hashing markers.
            out = self._scanner.scan(s, stats)
            if "[REDACTED:" in out and not _has_plain_text(out):
                return prefix + out
        stats.add(kind)
        return prefix + self._fp.marker(kind, secret)


def _rekeyed(out: dict[Any, Any], renamed: dict[Any, str]) -> dict[str, Any]:
    """`out` with the names in `renamed` replaced, in the same order (the last value wins
    when two names become one, as when the dict is built name by name)."""
    return {renamed.get(k, k): v for k, v in out.items()}


def _has_plain_text(s: str) -> bool:
    return bool(MARKER_RE.sub("", s).strip(" \t\"'.,;:"))


def load_redactor(store_dir: Path | None = None, project_root: Path | None = None,
                  extra_rules: Iterable[Rule] = ()) -> Redactor:
    """The redactor for a store: key from `<store_dir>/redact.key` (0600, made on first use),
    rules from the project's config plus `extra_rules` (plugins). A bad config is a ConfigError."""
    key = load_key(Path(store_dir)) if store_dir is not None else None
    return Redactor(key, load_config(project_root), extra_rules)
