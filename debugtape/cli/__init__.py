"""debugtape.cli."""
