"""(see the next commits)."""

from extract.cli.common import app

__all__ = ["app"]
