"""The `dpup-eval` command line (`app`: the commands and `main`; `rights`: the families' rights commands).

The top layer: it may import every stage; nothing in the package imports it.
"""

from dpup_eval.cli.app import main

__all__ = ["main"]
