"""Test plugins for debugtape's plugin tests (installed with pip into a throw-away target)."""
