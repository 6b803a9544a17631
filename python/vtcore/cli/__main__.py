"""`python -m vtcore.cli`: the `vtcore` command."""

from __future__ import annotations

import sys

from vtcore.cli.main import main

sys.exit(main())
