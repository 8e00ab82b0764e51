"""The extension's own unit tests (Node's test runner) and its type check, run from pytest."""

from __future__ import annotations

import subprocess

import pytest

from tests.vscode.harness import (
    EXT,
    isolated_env,
    need_code_server,
    need_extension_build,
    package_extension,
)


@pytest.mark.timeout(120)
def test_node_unit_tests_pass() -> None:
    node = need_extension_build()
    build = subprocess.run([node, "esbuild.mjs", "--tests"], cwd=EXT, capture_output=True, text=True, timeout=60)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([node, "--test", "out/test/unit/"], cwd=EXT, capture_output=True, text=True, timeout=90)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
    passed = int(run.stdout.split("# pass ")[1].split()[0])
    assert passed >= 30, f"only {passed} unit tests ran"


@pytest.mark.timeout(120)
def test_typescript_type_checks() -> None:
    node = need_extension_build()
    tsc = EXT / "node_modules" / "typescript" / "bin" / "tsc"
    run = subprocess.run([node, str(tsc), "-p", ".", "--noEmit"], cwd=EXT, capture_output=True, text=True, timeout=110)
    assert run.returncode == 0, run.stdout[-4000:]


def test_manifest_declares_what_the_docs_promise() -> None:
    import json

    manifest = json.loads((EXT / "package.json").read_text())
    assert manifest["engines"]["vscode"] == "^1.100.0"
    commands = {c["command"] for c in manifest["contributes"]["commands"]}
    assert {"debugtape.startRecording", "debugtape.stopRecording", "debugtape.addNote",
            "debugtape.snapshotNow", "debugtape.openTimeline"} <= commands
    assert [v["id"] for v in manifest["contributes"]["views"]["debug"]] == ["debugtape.timeline"]
    debugger = manifest["contributes"]["debuggers"][0]
    assert debugger["type"] == "debugtape"
    assert debugger["configurationSnippets"][0]["body"]["debugtape"]["record"] is True
    settings = manifest["contributes"]["configuration"]["properties"]
    assert {"debugtape.recordAll", "debugtape.path", "debugtape.store",
            "debugtape.redact.extraKeys", "debugtape.redact.extraPatterns"} <= set(settings)
    docs = (EXT.parent / "docs" / "vscode.md").read_text()
    for name in sorted(commands - {"debugtape.openSnapshot"}) + sorted(settings):
        assert name in docs, f"{name} is not documented in docs/vscode.md"


@pytest.mark.timeout(180)
def test_vsix_packages_the_bundle_only_and_installs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import zipfile

    node = need_extension_build()
    server = need_code_server()
    build = subprocess.run([node, "esbuild.mjs"], cwd=EXT, capture_output=True, text=True, timeout=60)
    assert build.returncode == 0, build.stderr
    vsix = package_extension(node, tmp_path / "debugtape.vsix")
    names = set(zipfile.ZipFile(vsix).namelist())
    assert {"extension/package.json", "extension/out/extension.js", "extension/readme.md"} <= names, names
    assert not any("node_modules" in n or n.endswith((".ts", ".map")) for n in names), names

    # What `code --install-extension debugtape.vsix` does, in a code-server of its own.
    home = tmp_path / "home"
    flags = ["--user-data-dir", str(home / "user-data"), "--extensions-dir", str(home / "extensions")]
    env = isolated_env(home, {})
    run = subprocess.run([server, *flags, "--install-extension", str(vsix)], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "successfully installed" in run.stdout, run.stdout + run.stderr
    listed = subprocess.run([server, *flags, "--list-extensions", "--show-versions"], env=env, capture_output=True, text=True, timeout=60)
    version = json.loads((EXT / "package.json").read_text())["version"]
    assert f"debugtape.debugtape@{version}" in listed.stdout.split(), listed.stdout + listed.stderr
