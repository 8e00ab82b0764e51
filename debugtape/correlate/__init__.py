"""debugtape.correlate."""
