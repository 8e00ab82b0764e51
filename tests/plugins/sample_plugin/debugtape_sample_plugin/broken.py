"""A plugin that cannot be imported."""

from __future__ import annotations

raise ImportError("broken: this plugin needs a module that is not installed")
