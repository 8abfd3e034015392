"""``python -m auditor``: the same as the ``golf-audit`` command.

``python -m`` puts the current folder first on ``sys.path``. When that folder is not the checkout
this package was loaded from (say, a submission folder being audited), it is dropped before
anything else is imported, so a ``click.py`` or ``rich.py`` in it is never imported. (A folder
that holds an ``auditor/`` package of its own is imported before this file runs: audit untrusted
folders with ``golf-audit`` or ``python -P -m auditor``.)
"""

import os
import sys

_CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) != _CHECKOUT:
    del sys.path[0]

from auditor.cli import main  # noqa: E402

main()
