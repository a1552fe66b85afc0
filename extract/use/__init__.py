"""(stage docstring: see the next commits)."""
