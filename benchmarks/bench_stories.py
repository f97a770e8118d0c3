"""The story register's costs: making a story safe, recording it, and what a page pays to show the stories.

    .venv/bin/python benchmarks/bench_stories.py [--stories 200] [--repeat 5]

Every output (a workshop page refresh, a report, a tender pack) calls ``StoryRegister.shared``, which
reads every story's history and scans each allowed one again as it leaves; this measures that against
the scan alone, in the same run (the machine is shared: absolute times are noisy, ratios less so).
Stories are made-up sentences of a worker's kind (~400 characters, a name and a phone number in each).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

WORDS = ("Whaea Losa rang Mere on 021 555 0199 about the group. Since the programme started we eat dinner together "
         "most nights, the kids talk to me about school, and I do not shout the way I used to. I feel like I know "
         "what to do when things get hard, and I ask for help sooner. My partner came to two sessions too. ")


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from dpup_eval.agreement.contract import Agreement, default_contract_dir
    from dpup_eval.rights.stories.register import StoryRegister
    from dpup_eval.rights.stories.settings import StorySettings
    from dpup_eval.rights.stories.sharing import story_check

    folder = default_contract_dir()
    agreement, settings = Agreement.load(folder), StorySettings.load(folder)
    check = story_check(agreement, settings)
    check.make_safe(WORDS)  # warm the name lists and patterns
    safe_ms = median_ms(lambda: check.make_safe(WORDS), args.repeat * 4)
    with tempfile.TemporaryDirectory() as tmp:
        register = StoryRegister(Path(tmp) / "stories.sqlite", audit=Path(tmp) / "audit.jsonl")
        start = time.perf_counter()
        for i in range(args.stories):
            story = register.record(family_ref=f"CCSS-{i:05d}", told_on=date(2025, 3, 4), domain="parent_confidence",
                                    text=WORDS, settings=settings, check=check)
            register.review(story.id, approve=True, family_saw=True, flags_reason="bench")
            register.choose(story.id, "workshop", asked_with="adult", how="in_person", given_on=date(2025, 3, 11))
        per_story_ms = (time.perf_counter() - start) * 1000 / args.stories
        shared_ms = median_ms(lambda: register.shared("workshop", check=check), args.repeat)
    print(f"make a story safe (scan + flags), one ~{len(WORDS)}-character story: {safe_ms:.1f} ms (median)")
    print(f"record + review + choose, per story (SQLite, audit log): {per_story_ms:.1f} ms")
    print(f"shared('workshop') with {args.stories} allowed stories: {shared_ms:.0f} ms (median of {args.repeat}); "
          f"{shared_ms / args.stories:.2f} ms per story = {shared_ms / args.stories / safe_ms:.2f}x one make-safe")


if __name__ == "__main__":
    main()
