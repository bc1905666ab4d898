"""Publish: the change digest (digest.py), its renderings (render.py: Markdown, e-mail HTML, JSON, Slack Block
Kit), the daily job (job.py: `tracker run` / `tracker watch`) and the Slack bot (slack_app.py, a thin shell over
ask, status and impact).

Nothing heavy is imported here: slack_bolt / slack_sdk are imported inside slack_app.py only, when a Slack
feature is used.
"""

from __future__ import annotations

__all__ = ["build_digest"]


def build_digest(*args, **kwargs):
    """See tracker.publish.digest.build_digest."""
    from tracker.publish.digest import build_digest as build

    return build(*args, **kwargs)
