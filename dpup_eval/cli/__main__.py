"""`python -m dpup_eval.cli`: the same as the `dpup-eval` command."""

import sys

from dpup_eval.cli.app import main

sys.exit(main())
