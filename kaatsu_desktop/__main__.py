"""Allow ``python -m kaatsu_desktop``."""

import sys

from kaatsu_desktop.cli import main

sys.exit(main())
