"""Credential formats found anywhere in a string, and the one cheap pre-filter that gates them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from debugtape.redact.entropy import tokenish
from debugtape.redact.luhn import CARD_RE, card_like

__all__ = ["ValuePattern", "VALUE_PATTERNS", "PREFILTER"]


@dataclass(frozen=True)
class ValuePattern:
    """A credential format: the span of group `v` (or the whole match) is the secret."""

    kind: str
    regex: re.Pattern[str]
    check: Callable[[str], bool] | None = None


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
        _B + r"(?:gl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|cf)-[A-Za-z0-9_\-]{20,}|GR1348941[A-Za-z0-9_\-]{20,})")),
    ValuePattern("slack_webhook", re.compile(
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]+")),
    ValuePattern("slack_token", re.compile(_B + r"(?:xox[abposre]|xapp)-[A-Za-z0-9\-]{10,}")),
    ValuePattern("stripe_key", re.compile(_B + r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}" + _E)),
    ValuePattern("stripe_key", re.compile(_B + r"whsec_[A-Za-z0-9]{24,}" + _E)),
    ValuePattern("google_api_key", re.compile(_B + r"AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_\-])")),
    ValuePattern("google_oauth_secret", re.compile(_B + r"GOCSPX-[A-Za-z0-9_\-]{28}")),
    ValuePattern("anthropic_key", re.compile(_B + r"sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{40,}")),
    ValuePattern("openai_key", re.compile(
        _B + r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])"), _mixed),
    ValuePattern("npm_token", re.compile(_B + r"npm_[A-Za-z0-9]{36}" + _E)),
    ValuePattern("pypi_token", re.compile(_B + r"pypi-Ag[A-Za-z0-9_\-]{50,}")),
    ValuePattern("sendgrid_key", re.compile(_B + r"SG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}")),
    ValuePattern("twilio_key", re.compile(_B + r"(?:SK|AC)[0-9a-f]{32}" + _E)),
    ValuePattern("jwt", re.compile(
        _B + r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*")),
    ValuePattern("azure_storage_key", re.compile(r"(?i:AccountKey|SharedAccessKey)\s*=\s*(?P<v>[A-Za-z0-9+/=]{20,})")),
    ValuePattern("azure_storage_key", re.compile(r"(?<![A-Za-z0-9+/])(?P<v>[A-Za-z0-9+/]{86}==)")),
    ValuePattern("azure_sas", re.compile(r"[?&]sig=(?P<v>[A-Za-z0-9%+/=]{20,})")),
    ValuePattern("url_password", re.compile(
        r"(?i:[a-z][a-z0-9+.\-]{1,20})://[^\s:/?#@\"'\[\]]*:(?P<v>[^\s@/?#\"'\[\]]{1,256})@")),
    ValuePattern("bearer", re.compile(r"(?i:bearer)\s+(?P<v>[A-Za-z0-9._~+/\-]{8,}=*)"), _not_word),
    ValuePattern("basic_auth", re.compile(r"(?i:basic)\s+(?P<v>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"),
                 lambda v: _not_word(v) and not v.isdigit()),
    ValuePattern("aws_secret_key", re.compile(r"(?<![A-Za-z0-9+/=])(?P<v>[A-Za-z0-9+/]{40})(?![A-Za-z0-9+/=])"),
                 _aws_secret),
    ValuePattern("card", CARD_RE, card_like),
)

# One search over every string: when it finds nothing (most short identifiers, numbers, paths
# and symbols), no other pattern needs to run. It must match whenever any rule could.
PREFILTER = re.compile(
    r"(?i:pass|pwd|secret|token|auth|cred|cookie|sess|sid|csrf|xsrf|key|jwt|otp|cvv|cvc|ssn|dsn|salt"
    r"|bearer|basic|symfony|forwarded|pw\b|name)"
    r"|AKIA|ASIA|ABIA|ACCA|A3T|gh[pousr]_|github_pat_|gl[a-z]{1,5}-|GR1348941|xox|xapp-|hooks\.slack"
    r"|_live_|_test_|whsec_|AIza|GOCSPX|sk-|npm_|pypi-|SG\.|SK[0-9a-f]{32}|AC[0-9a-f]{32}|eyJ"
    r"|PRIVATE KEY|://[^\s/@]*@|sig=|=="
    r"|(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])"
    r"|(?<![\d.])[2-6]\d{3}[ \-]?\d{4}[ \-]?\d{4}"
)

