"""The HTML report and the exports of sampled stacks (speedscope, collapsed)."""

from __future__ import annotations

from debugtape.report.aggregate import ReportLimits, build_report_data
from debugtape.report.render import render_html
from debugtape.report.stacks import collapsed_lines, speedscope_json

__all__ = ["ReportLimits", "build_report_data", "render_html", "speedscope_json", "collapsed_lines"]
