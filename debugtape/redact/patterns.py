"""Credential formats found anywhere in a string, and the one cheap pre-filter that gates them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from debugtape.redact.entropy import tokenish
from debugtape.redact.luhn import CARD_RE, card_like

__all__ = ["ValuePattern", "VALUE_PATTERNS", "TRIGGER_WORDS", "trie_regex", "gates", "GATE_WORDS"]


@dataclass(frozen=True)
class ValuePattern:
    """A credential format: the span of group `v` (or the whole match) is the secret."""

    kind: str
    regex: re.Pattern[str]
    check: Callable[[str], bool] | None = None
    gate: int = 1  # which pre-filter search must have hit (GATE_WORDS by default)


def _mixed(text: str) -> bool:
    return any(c.isupper() for c in text) and any(c.islower() for c in text) and any(
        c.isdigit() for c in text)


def _not_word(text: str) -> bool:
    return not text.isalpha() or not text.islower()


def _aws_secret(text: str) -> bool:
    return _mixed(text) and text.count("/") <= 4 and tokenish(text, 40, 4.0)


_B = r"(?<![A-Za-z0-9_])"  # start of a token
_E = r"(?![A-Za-z0-9_])"  # end of a token

VALUE_PATTERNS: tuple[ValuePattern, ...] = (
    ValuePattern("private_key", re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)", re.S)),
    ValuePattern("aws_access_key", re.compile(_B + r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}" + _E)),
    ValuePattern("github_token", re.compile(_B + r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})" + _E)),
    ValuePattern("gitlab_token", re.compile(
        _B + r"(?:gl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|cf)-[A-Za-z0-9_\-]{20,512}|GR1348941[A-Za-z0-9_\-]{20,512})")),
    ValuePattern("slack_webhook", re.compile(
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{1,512}")),
    ValuePattern("slack_token", re.compile(_B + r"(?:xox[abposre]|xapp)-[A-Za-z0-9\-]{10,512}")),
    ValuePattern("stripe_key", re.compile(_B + r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,512}")),
    ValuePattern("stripe_key", re.compile(_B + r"whsec_[A-Za-z0-9]{24,512}")),
    ValuePattern("google_api_key", re.compile(_B + r"AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_\-])")),
    ValuePattern("google_oauth_secret", re.compile(_B + r"GOCSPX-[A-Za-z0-9_\-]{28}")),
    ValuePattern("anthropic_key", re.compile(_B + r"sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{40,512}")),
    ValuePattern("openai_key", re.compile(
        _B + r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,512}"), _mixed),
    ValuePattern("npm_token", re.compile(_B + r"npm_[A-Za-z0-9]{36}" + _E)),
    ValuePattern("pypi_token", re.compile(_B + r"pypi-Ag[A-Za-z0-9_\-]{50,512}")),
    ValuePattern("sendgrid_key", re.compile(_B + r"SG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}")),
    ValuePattern("twilio_key", re.compile(_B + r"(?:SK|AC)[0-9a-f]{32}" + _E), None, 2),
    ValuePattern("jwt", re.compile(
        _B + r"eyJ[A-Za-z0-9_\-]{8,4096}\.eyJ[A-Za-z0-9_\-]{2,512}\.[A-Za-z0-9_\-]{0,4096}")),
    ValuePattern("azure_storage_key", re.compile(r"(?i:AccountKey|SharedAccessKey)\s*=\s*(?P<v>[A-Za-z0-9+/=]{20,512})")),
    ValuePattern("azure_storage_key", re.compile(r"(?<![A-Za-z0-9+/\-])(?P<v>[A-Za-z0-9+/]{86}==)"), None, 2),
    ValuePattern("azure_sas", re.compile(r"[?&]sig=(?P<v>[A-Za-z0-9%+/=]{20,512})")),
    ValuePattern("url_password", re.compile(
        r"(?i:[a-z][a-z0-9+.\-]{1,20})://[^\s:/?#@\"'\[\]]*:(?P<v>[^\s@/\"'\[\]]{1,256})@")),
    ValuePattern("bearer", re.compile(r"(?i:bearer)\s+(?P<v>[A-Za-z0-9._~+/\-]{8,512}={0,2})"), _not_word),
    ValuePattern("basic_auth", re.compile(r"(?i:basic)\s+(?P<v>[A-Za-z0-9+/]{8,512}={0,2})(?![A-Za-z0-9+/=])"),
                 lambda v: _not_word(v) and not v.isdigit()),
    ValuePattern("aws_secret_key", re.compile(r"(?<![A-Za-z0-9+/=])(?P<v>[A-Za-z0-9+/]{40})(?![A-Za-z0-9+/=])"),
                 _aws_secret, 2),
    ValuePattern("card", CARD_RE, card_like, 4),
    # A value cut by the capture bounds ends with "…" (or gdb's `...`): a known token prefix
    # or a URL password right before the cut is still a secret, just a shorter one.
    ValuePattern("cut_token", re.compile(
        _B + r"(?:AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposre]-|xapp-|sk_live_|sk_test_|rk_live_|"
        r"whsec_|AIza|GOCSPX-|sk-ant-|sk-proj-|npm_|pypi-|SG\.|eyJ)[A-Za-z0-9_\-.+/=]{2,512}"
        r"(?=[\"']?(?:…|\.\.\.)[\"']?\Z)")),
    ValuePattern("url_password", re.compile(
        r"(?i:[a-z][a-z0-9+.\-]{1,20})://[^\s:/?#@\"'\[\]]*:(?P<v>[^\s@/\"'\[\]]{1,256})(?=[\"']?(?:…|\.\.\.)[\"']?\Z)")),
)

# The pre-filter: most strings (identifiers, numbers, paths, symbols) fail all three cheap
# searches and need nothing else. Each search gates only the patterns that could match after it.
# Literals are searched in the lowercased string with a trie-shaped regex (common prefixes
# factored), which Python's regex engine runs several times faster than a flat alternation.
TRIGGER_WORDS = (
    # names that say "secret" (key policy, name=value, flags, headers, DAP name/value)
    "pass", "pwd", "pw ", "pw=", "pw:", "secret", "token", "auth", "cred", "cookie", "sess", "sid",
    "csrf", "xsrf", "key", "jwt", "otp", "cvv", "cvc", "ssn", "dsn", "salt", "bearer", "basic",
    "symfony", "forwarded", "name", "signature",
    # credential formats
    "akia", "asia", "abia", "acca", "a3t", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-",
    "glagent-", "glcf-", "gr1348941", "xox", "xapp-", "hooks.slack", "_live_", "_test_", "whsec_",
    "aiza", "gocspx", "sk-", "npm_", "pypi-", "sg.", "eyj", "private key", "://", "sig=", "==",
    "sk_live", "sk_test", "rk_live",
)
GATE_WORDS, GATE_RUN, GATE_CARD = 1, 2, 4


def trie_regex(words: tuple[str, ...] | list[str]) -> str:
    """A regex matching any of `words`, with shared prefixes factored out."""
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        if "" in node:  # a word ends here: a longer word with this prefix adds nothing
            return ""
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


WORDS_RE = re.compile(trie_regex(TRIGGER_WORDS))
# Long base64-ish runs (AWS secret keys, Azure keys, Twilio keys); the look-behind makes the
# search start only at the beginning of a run, so it stays linear.
RUN_RE = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{32}")
CARD_PRE_RE = re.compile(r"(?<![\w.])[2-6]\d{3}[ \-]?\d{4}[ \-]?\d{4}")


def gates(text: str, words: re.Pattern[str] = WORDS_RE) -> int:
    """Which groups of patterns could match `text` (0: none, the common case)."""
    g = GATE_WORDS if words.search(text.lower()) else 0
    if len(text) >= 32 and RUN_RE.search(text):
        g |= GATE_RUN
    if CARD_PRE_RE.search(text):
        g |= GATE_CARD
    return g
