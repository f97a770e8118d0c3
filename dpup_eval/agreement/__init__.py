"""The agreement: what a provider and an agency agreed to share, for which purpose, and why.

Holds the contract model (`contract`: ODCS v3 with the DPUP specifics), the rules a contract file
must satisfy (`rules`), and drafting a contract from a data file (`drafting`).

May import: the base modules (`dpup_eval.errors`, `dpup_eval.paths`). Nothing else in the package.
"""
