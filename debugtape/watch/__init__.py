"""debugtape.watch."""
