"""Secret-looking names (variables, dict keys, fields, env vars, headers, flags), matched after normalization.

`apiToken`, `API_TOKEN`, `x-api-key`, `PGPASSWORD` and `client_secret` all normalize to words
(`api token`, `x api key`, ...) and a compact form (`apitoken`, `pgpassword`); a name is secret
when a deny word or a deny fragment of the compact form is present, unless its last word says
the value is only about the secret (`token_count`, `password_length`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

__all__ = ["KeyPolicy", "normalize", "literal_pieces", "SENTRY_DENYLIST"]

# Sentry's default denylist, kept here so a test proves we cover it.
SENTRY_DENYLIST = (
    "password", "passwd", "secret", "api_key", "apikey", "auth", "credentials", "mysql_pwd",
    "privatekey", "private_key", "token", "session", "csrftoken", "sessionid", "x_csrftoken",
    "x_forwarded_for", "set_cookie", "cookie", "authorization", "x_api_key", "aiohttp_session",
    "connect.sid", "csrf_token", "csrf", "_csrf", "_csrf_token", "PHPSESSID", "_session",
    "symfony", "user_session", "_xsrf", "XSRF-TOKEN",
)

# Fragments of the compact form (lowercase, separators removed) -> marker kind.
_FRAGMENTS: tuple[tuple[str, str], ...] = (
    ("password", "password"), ("passwd", "password"), ("passphrase", "password"),
    ("mysqlpwd", "password"), ("passcode", "password"),
    ("secret", "secret"),
    ("apikey", "api_key"), ("accesskey", "api_key"), ("appkey", "api_key"),
    ("privatekey", "private_key"), ("privkey", "private_key"), ("secretkey", "private_key"),
    ("signingkey", "private_key"), ("encryptionkey", "private_key"), ("masterkey", "private_key"),
    ("authorization", "auth"), ("authtoken", "token"), ("accesstoken", "token"),
    ("refreshtoken", "token"), ("idtoken", "token"), ("bearertoken", "token"),
    ("credential", "credential"),
    ("cookie", "session"), ("csrf", "session"), ("xsrf", "session"), ("sessid", "session"),
    ("sessionid", "session"), ("sessionkey", "session"), ("sessiontoken", "session"),
    ("forwardedfor", "pii"), ("connectionstring", "credential"),
)
# Endings of the compact form (`apitoken`, `dbpwd`, `botsecret`) -> marker kind.
_SUFFIXES = (("token", "token"), ("pwd", "password"), ("pass", "password"), ("creds", "credential"))
# Whole words -> marker kind.
_WORDS: dict[str, str] = {
    "token": "token", "jwt": "token", "bearer": "token",
    "pwd": "password", "pass": "password", "pw": "password", "pincode": "password",
    "auth": "auth", "creds": "credential", "cred": "credential",
    "session": "session", "sid": "session", "symfony": "session",
    "otp": "password", "totp": "password", "cvv": "card", "cvc": "card", "ssn": "pii",
    "dsn": "credential", "salt": "secret",
}
# A last word that says the value describes the secret instead of holding it.
_NEUTRAL_LAST = frozenset(
    "count counts len length size type types kind index idx num number max min limit ttl timeout "
    "expiry expires expiration expired expire at time timestamp ts age file path dir filename "
    "name names field fields enabled required policy method methods mode provider scheme version "
    "format status ok valid error errors level prompt label hint env var header_name set present "
    "exists used id_type url endpoint uri host port domain realm rotation strength changed "
    "updated created reset min_length max_length chars rules regex pattern algo algorithm".split()
)
# A first word that makes the name a flag or a tally.
_NEUTRAL_FIRST = frozenset("is has use uses enable enabled disable n num max min count show hide no"
                           .split())

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")


def normalize(name: str) -> tuple[list[str], str]:
    """(lowercase words, compact form) for a name in any case style."""
    words = [w.lower() for w in _SPLIT.split(_CAMEL.sub(" ", name)) if w]
    return words, "".join(words)


class KeyPolicy:
    """Decides whether a name holds a secret; answers are cached per name (names repeat a lot)."""

    def __init__(self, deny: Iterable[tuple[str, str]] = (), allow: Iterable[str] = ()) -> None:
        """`deny`: (name or glob, marker kind) pairs; `allow`: names or globs never secret by name."""
        self._deny = [(_pattern(p), kind) for p, kind in deny]
        self._allow = [_pattern(p) for p in allow]
        self.cache: dict[str, str | None] = {}  # read directly by the engine's hot loop

    def kind(self, name: str) -> str | None:
        """The marker kind for a secret name, or None if the name is not secret."""
        try:
            return self.cache[name]
        except KeyError:
            pass
        kind = self._classify(name) if len(name) <= 128 else None
        if len(self.cache) > 100_000:
            self.cache.clear()
        self.cache[name] = kind
        return kind

    def _classify(self, name: str) -> str | None:
        words, compact = normalize(name)
        if not compact:
            return None
        if any(_match(p, compact) for p in self._allow):
            return None
        for p, kind in self._deny:
            if _match(p, compact):
                return kind
        return builtin_kind(words, compact)


# Names that contain a deny word but are well known not to hold a secret.
_NOT_SECRET = frozenset(("pwd", "oldpwd", "author", "authors", "tokens", "keyname", "sessions",
                         "passthrough", "passed", "compass", "bypass", "classpath", "encompass",
                         "surpass", "trespass", "overpass", "underpass", "multipass", "firstpass",
                         "secondpass", "onepass", "singlepass", "subpass", "renderpass"))


def builtin_kind(words: list[str], compact: str) -> str | None:
    if compact in _NOT_SECRET:
        return None
    kind = None
    for w in words:
        if w in _WORDS:
            kind = _WORDS[w]
            break
    if kind is None:
        for frag, k in _FRAGMENTS:
            if frag in compact:
                kind = k
                break
    if kind is None:
        for suffix, k in _SUFFIXES:
            if compact.endswith(suffix):
                kind = k
                break
    if kind is None:
        return None
    if len(words) > 1 and (words[-1] in _NEUTRAL_LAST or words[0] in _NEUTRAL_FIRST):
        return None
    return kind


def literal_pieces(p: str) -> list[str]:
    """The longest glob-free piece of a config name, for the pre-filter ('' if none is useful)."""
    words, _ = normalize(p.replace("*", " ").replace("?", " "))
    return [max(words, key=len)] if words and max(len(w) for w in words) >= 2 else [""]


def _pattern(p: str) -> str:
    # Config names are normalized like keys; '*' and '?' survive as glob characters.
    return "".join(ch.lower() for ch in p if ch.isalnum() or ch in "*?")


def _match(pattern: str, compact: str) -> bool:
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(compact, pattern)
    return pattern == compact
