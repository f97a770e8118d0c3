"""The agreement: what a provider and an agency agreed to share, for which purpose, and why.

Holds the contract model (`contract`: ODCS v3 with the DPUP specifics), the rules a contract file
must satisfy (`rules`), programme folders (`programme`), and its versions: the semantic-version rule
(`versions`), what changed between two versions in plain words (`diff`, `diff_report`), agreed changes
made to the contract documents (`editing`) and a new validated version from them (`revision`).

May import: the base modules (`dpup_eval.errors`, `dpup_eval.paths`). Nothing else in the package.
"""
