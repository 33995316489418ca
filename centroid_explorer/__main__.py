"""`python -m centroid_explorer`: see cli.py."""

import sys

from .cli import main

sys.exit(main())
