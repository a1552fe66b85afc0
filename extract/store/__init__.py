"""(see the next commits)."""

from extract.store.writer import *  # noqa: F403  (for the moment: split in the next commits)
from extract.store.writer import _SQL_TYPES  # noqa: F401
