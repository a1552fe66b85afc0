"""``python -m extract.cli``: the ``planex`` command."""

from extract.cli import app

app()
