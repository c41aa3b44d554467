"""`python -m engine` is the same as the `ai-admin` console script."""

import sys

from engine.cli import main

sys.exit(main())
