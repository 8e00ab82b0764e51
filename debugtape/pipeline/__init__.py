"""debugtape.pipeline."""
