"""Intake: a provider's file read, checked against the agreement, and accepted or quarantined.

Holds reading files (`reading`), the identifier scan (`identifiers`, `nz_numbers`), the contract's
check specs and the one Great Expectations adapter (`specs`, `values`, `gx_engine`), the
re-identification check (`risk`), the check report (`report`) and `loading.load`, which runs them all.

May import: `dpup_eval.agreement` and the base modules.
"""
