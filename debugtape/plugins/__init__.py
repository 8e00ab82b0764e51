"""debugtape.plugins."""
