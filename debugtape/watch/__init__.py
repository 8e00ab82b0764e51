"""The file watcher: file changes, commits and the inbox as events of a `watch` session.

Modules: `coalesce` (bursts to net changes, pure), `gitview` (batched git questions), `commits`
(HEAD and ref moves to `vcs_commit`), `watcher` (watchdog and batching), `inbox` (dropped
files), `session` (`run_watch`: one session through the shared pipeline). Importing this package
imports nothing heavy; watchdog is loaded by `watcher` only.
"""
