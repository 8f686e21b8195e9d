"""``python -m realpolitik`` is the ``realpolitik`` command."""

from realpolitik.cli import main

main()
