"""Secret names at every spelling: Sentry's denylist and the names that leak through it."""

from __future__ import annotations

import pytest

from debugtape.redact.keys import SENTRY_DENYLIST, KeyPolicy, normalize

SECRET_NAMES = [
    "apiToken", "API_TOKEN", "api_token", "db_password", "client_secret", "x-api-key", "X-Api-Key",
    "PGPASSWORD", "MYSQL_PWD", "mysql_pwd", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "privateKey",
    "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "sessionid", "PHPSESSID",
    "connect.sid", "csrftoken", "XSRF-TOKEN", "refresh_token", "accessToken", "id_token",
    "passphrase", "passwd", "credentials", "aws_access_key_id", "signing_key", "jwt", "otp",
    "Password", "user.password", "auth", "BEARER", "sentry_dsn", "ssh_private_key",
]
PLAIN_NAMES = [
    "token_count", "max_tokens", "password_length", "passwordLength", "auth_method", "author",
    "PWD", "OLDPWD", "key_len", "keys", "name", "monkey", "session_timeout", "is_authenticated",
    "has_password", "tokens", "len", "buf", "commit", "path", "tokenizer", "passage", "keyboard",
]


@pytest.mark.parametrize("name", SENTRY_DENYLIST)
def test_sentry_denylist_is_covered(name: str) -> None:
    assert KeyPolicy().kind(name) is not None


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_names(name: str) -> None:
    assert KeyPolicy().kind(name) is not None, name


@pytest.mark.parametrize("name", PLAIN_NAMES)
def test_plain_names(name: str) -> None:
    assert KeyPolicy().kind(name) is None, name


def test_normalize_splits_every_style() -> None:
    assert normalize("apiToken") == (["api", "token"], "apitoken")
    assert normalize("API_TOKEN") == (["api", "token"], "apitoken")
    assert normalize("x-api-key") == (["x", "api", "key"], "xapikey")
    assert normalize("HTTPHeaderName") == (["http", "header", "name"], "httpheadername")


def test_config_deny_and_allow_with_globs() -> None:
    policy = KeyPolicy(deny=[("employee_*", "pii"), ("ssn_value", "pii")], allow=["session", "TOKEN"])
    assert policy.kind("employeeId") == "pii"
    assert policy.kind("EMPLOYEE_NAME") == "pii"
    assert policy.kind("ssnValue") == "pii"
    assert policy.kind("session") is None  # allowed by the project
    assert policy.kind("token") is None
    assert policy.kind("api_token") == "token"  # allow is exact, not a fragment
