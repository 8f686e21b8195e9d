"""``python -m realpolitik`` is the ``realpolitik`` command."""

from realpolitik.cli import entry

entry()
