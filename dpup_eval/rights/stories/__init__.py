"""Families' stories as evidence, shared only as far as each family agreed.

* `levels`: how far a story may go (provider, evaluation team, workshops, reports, tenders) and the
  question that asks the family, in adult and child words;
* `settings`: a programme's domains of change and its watch list (``stories.yaml``);
* `safety`: the identifier scan and the programme's references taken out; what could still pick
  someone out in a small group flagged for a person to decide;
* `tables`, `register`: the story register on the shared record layer, with its whole history;
* `sharing`: the check built from a programme folder, the question, and the consent sheet a provider
  goes through with the family (their words beside the made-safe words);
* `tender`: the tender pack (published findings and stories allowed for tenders), recorded in the use register;
* `room`: a workshop's marks and its selection of the most significant story per domain;
* `family`: a family's own stories, choices and uses, for their access pack.
"""
