"""Fake secrets in every supported format, and the look-alikes that must survive (test data)."""

from __future__ import annotations

A36 = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # 36 alphanumerics

# kind -> (a secret in that format, a look-alike that must be kept)
FORMATS: dict[str, tuple[str, str]] = {
    "aws_access_key": ("AKIAZ7QWERTY12345ABC", "AKIAZ7QWERTY"),
    "aws_secret_key": ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEK9", "8f14e45fceea167a5a36dedd4bea2543a1b2c3d4"),
    "github_token": ("ghp_" + A36, "ghp_short123"),
    "github_fine_grained": ("github_pat_11ABCDEFG0123456789abc_" + "x" * 20 + "Y9" * 20, "github_pat_docs"),
    "gitlab_token": ("glpat-Ab12Cd34Ef56Gh78Ij90", "glpat-short"),
    "slack_token": ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-"),
    "slack_webhook": ("https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/AbCdEfGhIjKlMnOpQrStUvWx",
                      "https://hooks.slack.com/"),
    "stripe_key": ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_"),
    "google_api_key": ("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "AIzaSy"),
    "openai_key": ("sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", "sk-learn-version-2"),
    "anthropic_key": ("sk-ant-api03-" + "Ab1_Cd2-Ef3" * 8 + "AA", "sk-ant-docs"),
    "npm_token": ("npm_" + A36, "npm_config_cache"),
    "pypi_token": ("pypi-AgEIcHlwaS5vcmc" + "Ab12Cd34Ef" * 6, "pypi-simple"),
    "sendgrid_key": ("SG.Ab12Cd34Ef56Gh78Ij90Kl.Mn12Op34Qr56St78Uv90Wx12Yz34Ab56Cd78Ef9", "SG.small.thing"),
    "twilio_key": ("SK0123456789abcdef0123456789abcdef", "SKU0123456789"),
    "jwt": ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "eyJhbGciOiJIUzI1NiJ9"),
    "private_key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM\n"
                    "-----END RSA PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----"),
    "azure_storage_key": ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey="
                          + "Ab12Cd34Ef56Gh78" * 5 + "Ab12Cd==;EndpointSuffix=core.windows.net",
                          "DefaultEndpointsProtocol=https;AccountName=acct;EndpointSuffix=core.windows.net"),
    "url_password": ("postgres://app:S3cr3t-Pa55@db.internal:5432/prod", "https://db.internal:5432/prod?user=app"),
    "bearer": ("Authorization: Bearer abcDEF123ghiJKL456", "the bearer of bad news"),
    "basic_auth": ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "basic block 12 ends"),
    "card": ("card 4111 1111 1111 1111 charged", "order 4111 1111 1111 1112 shipped"),
    "key_value": ("login user=bob password=hunter2 ok", "login user=bob password_length=7 ok"),
    "generic_token": ("refreshed session token: Zx9Qw8Er7Ty6Ui5Op4As3Df (ttl 3600)",
                      "token expired, retrying in 5 s"),
}

# The secret part of each FORMATS positive: what must not be in the output.
SECRET_PART: dict[str, str] = {
    "private_key": "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM",
    "azure_storage_key": "Ab12Cd34Ef56Gh78" * 5,
    "url_password": "S3cr3t-Pa55",
    "bearer": "abcDEF123ghiJKL456",
    "basic_auth": "dXNlcjpwYXNzd29yZA",
    "card": "4111 1111 1111 1111",
    "key_value": "hunter2",
    "generic_token": "Zx9Qw8Er7Ty6Ui5Op4As3Df",
}

# Clues a debug timeline depends on: they pass untouched, alone or inside text.
CLUES = [
    "8f14e45fceea167a5a36dedd4bea2543a1b2c3d4",  # commit
    "8f14e45",  # short commit
    "123e4567-e89b-12d3-a456-426614174000",  # UUID
    "0x7ffe5f3a1c20",  # address
    '0x4052a0 "hello"',  # gdb char*
    "/home/ana/src/tape/src/parser.c",  # path
    "_ZN5tokio7runtime4task3raw7RawTask4poll17h1e0c8c2b8a1f2d3eE",  # mangled symbol
    "btree_split",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256
    "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",  # SRI digest
    "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
    "2026-11-23T18:15:45.123Z",
    "1763912345678",  # epoch ms
    "4111111111111112",  # not Luhn
    "v1.2.3-4-gdeadbee",
    "10.0.0.5",
    "token_count=12",
    "max_tokens: 4096",
    "basic block",
]
