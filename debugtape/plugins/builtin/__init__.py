"""debugtape's own behaviour as plugins, listed in `debugtape.plugins.manager.BUILTINS`."""
