"""debugtape.store."""
