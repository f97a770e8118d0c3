"""Families' rights and transparency, beside the findings.

Holds notices for families (`notices`), where information goes (`flows`), the audit log (`audit`),
access and correction requests (`requests`) with their access packs (`access_pack`), the use register
(`uses`) and Privacy Act working days (`workdays`).

May import: `dpup_eval.intake`, `dpup_eval.agreement` and the base modules (not `findings`,
`workshop` or `learn`).
"""
