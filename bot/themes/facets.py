"""What an input is about, in a few generic facets (price, roads, credit, pests, waste, ...), from its words.

Why: the packaged embedding model scores two different problems that share the plan's words ("the road to the
reef beach is bad" and "plastic on the beach") as alike. Inputs whose facets are both known and share none are
kept apart (a cannot-link guard in the clustering), and an initiative does not answer a theme it shares no facet
with. An input with no facet word is never kept apart, but joins one that names a problem only on a closer
match (bot/themes/clustering.py, ONE_SIDED_PENALTY).

Facet words are prefixes of lower-case words ("pric" matches "price" and "prices"), the longest that matches
deciding ("pesticides" is an input, not a pest), or whole words when they end in "$" ("rat$" is not "rate"); a
word may give several facets ("money": a price, a cost or finance). The lists are generic across value chains,
written once and tuned on the dev plans only (evals/datasets/themes.dev.jsonl and themes.heldout.dev.jsonl); the
test and held-out test plans are only measured.
"""

from __future__ import annotations

import re
from functools import cache

_WORD = re.compile(r"[a-z]+")

# Problems and ideas: what holds the chain back, or what an idea acts on.
PROBLEM = {
    "price": "price pric cheap paid pay bargain premium bonus money glut",
    "cost": "expensiv cost costly afford money",
    "transport": "road track truck lorr transport bridge carry carri vehicle bus bicycl mud impassab slippery",
    "finance": "loan credit bank lend borrow interest capital financ fund saving guarantee sacco money",
    "pest_disease": "pest insect disease virus sick worm bollworm fly flies fung blight vet doctor maggot mosaic "
    "streak weevil termite locust rat$ rats$ tick$ ticks$ mildew vaccin ppr",
    "water": "water irrigat canal drought river pump drip",
    "energy": "power electric generator energy fuel petrol diesel firewood wood solar kiln oven stove",
    "cold": "ice cold cool fridge chiller",
    "spoilage": "spoil rot rotten sour mould mold loss",
    "storage": "storage store warehouse preserv",
    "quality": "quality dirty dirt clean grade grading sort standard refuse reject coarse taste contaminat stone sand "
    "certif",
    "waste": "plastic rubbish garbage waste litter pollut trash bin smell stink dump heap",
    "theft_cheat": "thief thieves steal theft rob raid rustl cheat tamper scale weigh",
    "skills": "train skill knowledge learn teach course",
    "labour": "labour labor worker youth young staff hand$ manual hour drudg",
    "inputs": "fertili seed seedling cutting feed fodder grass pastur graz chemical pesticid spray tool equipment "
    "machine net breed variet hybrid",
    "ageing": "old replant",
    "fire": "fire burn",
    "rules": "permit tax rule law bylaw licen fee$ fees$ levy bribe",
    "delay": "late$ delay wait",
    "fake": "fake counterfeit dilut adulterat",
    "forest": "forest deforest charcoal parkland",
    "imports": "import",
}
# Facets that name what a problem is about, not the problem ("seed", "nets"): compared only when one of the two
# inputs names no other facet.
OBJECTS = frozenset({"inputs"})
# Opportunities: the problem facets, and which demand it is.
DEMAND = {
    "export": "export abroad europ foreign",
    "city_retail": "supermarket shop",
    "tourism": "tourist visitor hotel restaurant guest lodge",
    "processing": "factory processor process mill$ mills$ miller presser maker manufactur industr",
    "public": "school government program",
}
# Influential actors: what kind of person or firm people follow.
ROLES = {
    "traditional": "chief elder king sheha",
    "elected": "chairman chair leader president secretary",
    "official": "officer extension ministry government district council clerk",
    "business": "exporter trader buyer dealer broker middlem company processor factory owner manager boss operator "
    "agency",
    "producer": "farmer fisherman fishermen",
}
# Aggregation points: what kind of place many firms pass through.
PLACES = {
    "market": "market auction",
    "processor": "processor factory mill plant company",
    "storage": "warehouse store",
    "finance": "bank sacco branch",
    "group": "cooperative coop group association union society",
    "hub": "landing landed jetty port park station junction",
    "collection": "collection buying point post shed centre center",
    "office": "office council",
    "trader": "trader broker agency operator exporter",
}

_TABLES = {
    "constraint": (PROBLEM,),
    "idea": (PROBLEM,),
    "opportunity": (PROBLEM, DEMAND),
    "influential_actor": (ROLES,),
    "aggregation_point": (PLACES,),
}
# What an initiative is compared on when it is matched with a theme of this kind.
INITIATIVE_KIND = "constraint"


@cache
def _prefixes(kind: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (prefix, facet) for table in _TABLES.get(kind, ()) for facet, ws in table.items() for prefix in ws.split()
    )


@cache
def _word_facets(kind: str, word: str) -> frozenset[str]:
    """The facets of the longest entries the word starts with ("pesticides" is an input, not a pest); an entry
    ending in "$" is a whole word ("late$" is not "later")."""
    found = [
        (len(prefix), facet)
        for prefix, facet in _prefixes(kind)
        if (word == prefix[:-1] if prefix.endswith("$") else word.startswith(prefix))
    ]
    longest = max((size for size, _ in found), default=0)
    return frozenset(facet for size, facet in found if size == longest)


def facets(text: str, kind: str) -> frozenset[str]:
    """The facets the text's words name, read with the table of its kind (empty: nothing known)."""
    found: set[str] = set()
    for word in _WORD.findall(text.lower()):
        found |= _word_facets(kind, word)
    return frozenset(found)


def apart(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when both are known and share no facet: two different problems, whatever the embeddings say.

    When both name a problem (a facet not in OBJECTS), only those are compared: "fake pesticides" and "the spray
    does not work on the insects" share the input, not the problem."""
    strong_a, strong_b = a - OBJECTS, b - OBJECTS
    if strong_a and strong_b:
        return not (strong_a & strong_b)
    return bool(a) and bool(b) and not (a & b)
