"""`python -m pulumi_sonicha.preflight` (see `cli`)."""

import sys

from .cli import main

sys.exit(main())
