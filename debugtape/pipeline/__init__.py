"""The pipeline: bound, redact, correlate, run hooks, sequence and write one session's events."""

from __future__ import annotations

from debugtape.pipeline.bound import Bounds
from debugtape.pipeline.factory import PipelineFactory, make_stages, open_pipeline
from debugtape.pipeline.ratelimit import RateLimits, TokenBucket
from debugtape.pipeline.session import SessionPipeline
from debugtape.pipeline.stages import Correlator, Hooks, NullCorrelator, NullHooks

__all__ = [
    "Bounds", "Correlator", "Hooks", "NullCorrelator", "NullHooks", "PipelineFactory", "RateLimits",
    "SessionPipeline", "TokenBucket", "make_stages", "open_pipeline",
]
