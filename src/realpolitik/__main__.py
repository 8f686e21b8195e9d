"""``python -m realpolitik`` is the ``realpolitik`` command."""

from realpolitik._entry import main

main()
