"""Families' stories as evidence, shared only as far as each family agreed.

* `levels`: how far a story may go (provider, evaluation team, workshops, reports, tenders) and the
  question that asks the family, in adult and child words;
* `settings`: a programme's domains of change and its watch list (``stories.yaml``);
* `safety`: the identifier scan and the programme's references taken out; what could still pick
  someone out in a small group flagged for a person to decide;
* `tables`, `register`: the story register on the shared record layer, with its whole history;
* `sharing`: what leaves the register (for the evaluation team, a tender pack) and the consent sheet
  a provider goes through with the family.
"""
