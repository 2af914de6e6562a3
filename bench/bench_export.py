"""Export time and peak memory of a large synthetic draft, for each format.

1,000 participants give 10,000 inputs; the inputs are grouped into themes (a fixed number of latent topics per
kind, counted as the draft builder would: distinct people, inputs, actor types, every input quoted), and the plan has
100 initiatives, each with a full scorecard and its open questions. The draft is built once; each format is
then rendered `--repeat` times and the best time is kept. Memory is the tracemalloc peak of one rendering and
the process's resident set size (now, and its high-water mark) after it.

    .venv/bin/python bench/bench_export.py [--people 1000] [--inputs 10000] [--initiatives 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import tracemalloc
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

from bot.domain import InputKind, Status, Verdict
from bot.export import render
from bot.export.convert import guidance_criteria
from bot.export.draft import (
    ActorCount,
    Draft,
    DraftInitiative,
    DraftTheme,
    Gathering,
    NamedActor,
    OpenQuestion,
    ParticipantGroup,
    PlanCheckRow,
    Quote,
    ScoreRow,
    TitleBlock,
)

ACTORS = ["producer", "processor", "trader", "finance", "service", "tourism", "public", "ngo"]
SIZES = ["micro", "small", "medium", "large", None]
WORDS = [
    *("milk", "price", "road", "cooler", "loan", "buyer", "grade", "quality", "fish", "ice", "boat"),
    *("cashew", "nuts", "dryer", "coffee", "pulper", "hotel", "beach", "tourists", "market", "transport"),
    *("feed", "rain", "season", "store", "cooperative", "bank", "training"),
]


def rss_mib() -> float:
    """Resident set size now, from /proc (Linux); 0 where it is not available."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def synthetic_draft(people: int, inputs: int, initiatives: int, topics: int = 60, seed: int = 0) -> Draft:
    rng = random.Random(seed)
    profile = {pid: (rng.choice(ACTORS), rng.choice(SIZES)) for pid in range(people)}
    groups = Counter(profile.values())
    kinds = list(InputKind)
    by_theme: dict[tuple[InputKind, int], list[tuple[int, str]]] = defaultdict(list)
    for _ in range(inputs):
        pid = rng.randrange(people)
        kind = rng.choice(kinds)
        topic = min(int(rng.expovariate(1 / (topics / 4))), topics - 1)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 18)))
        by_theme[(kind, topic)].append((pid, text))
    themes: list[DraftTheme] = []
    named: dict[InputKind, list[NamedActor]] = defaultdict(list)
    questions = ["ideas", "small_step", "quick_win", "investment"]
    for (kind, topic), said in by_theme.items():
        who = {pid for pid, _ in said}
        quotes = [
            Quote(text=text, actor_type=profile[pid][0], size=profile[pid][1], question=rng.choice(questions))
            for pid, text in said
        ]
        if kind in (InputKind.influential_actor, InputKind.aggregation_point):
            name = f"{kind.value} {topic}: {said[0][1][:40]}"
            named[kind].append(NamedActor(name=name, people=len(who), said=quotes))
            continue
        actors = Counter(profile[pid][0] for pid in who)
        themes.append(
            DraftTheme(
                kind=kind,
                label=f"{said[0][1][:50]} ({topic})",
                people=len(who),
                inputs=len(said),
                actor_types=[ActorCount(actor_type=a, people=n) for a, n in actors.items()],
                quotes=quotes,
            )
        )
    criteria = guidance_criteria()
    drafts: list[DraftInitiative] = []
    for n in range(initiatives):
        statuses = [rng.choice(list(Status)) for _ in criteria]
        rows = [
            ScoreRow(
                criterion=c.id,
                label=c.label,
                status=s,
                evidence=None if s is Status.unclear else " ".join(rng.choices(WORDS, k=8)),
            )
            for c, s in zip(criteria, statuses, strict=True)
        ]
        drafts.append(
            DraftInitiative(
                title=f"Initiative {n}: shared {rng.choice(WORDS)} for {rng.choice(WORDS)}",
                description=" ".join(rng.choices(WORDS, k=40)),
                accepted=n % 4 == 0,
                answers=[t.label for t in rng.sample(themes, k=min(3, len(themes)))],
                actors=rng.sample(ACTORS, k=3),
                lead_actor=rng.choice(ACTORS),
                investment="members 20%, bank loan 80%",
                first_benefits="in 3 months",
                steps=[" ".join(rng.choices(WORDS, k=5)) for _ in range(4)],
                risk="low",
                mse_reach="most members are micro farmers",
                scorecard=rows,
                verdict=rng.choice(list(Verdict)),
                questions=[
                    OpenQuestion(criterion=r.criterion, label=r.label, question=f"What about {r.label}?")
                    for r in rows
                    if r.status is Status.unclear
                ],
            )
        )
    start = date(2027, 1, 1)
    return Draft(
        title=TitleBlock(plan="Bench plan", value_chain="dairy", region="Njombe", date=date(2027, 6, 1)),
        gathering=Gathering(
            participants=[ParticipantGroup(actor_type=a, size=s, count=c) for (a, s), c in groups.items()],
            inputs=inputs,
            first_input=start,
            last_input=start + timedelta(days=120),
            meetings=[start + timedelta(days=30 * k) for k in range(5)],
        ),
        themes=themes,
        influential_actors=named[InputKind.influential_actor],
        aggregation_points=named[InputKind.aggregation_point],
        initiatives=drafts,
        plan_check=[PlanCheckRow(id="near_term_win", passed=True, explanation="ok")],
        criteria=criteria,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--initiatives", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    began = time.perf_counter()
    draft = synthetic_draft(args.people, args.inputs, args.initiatives)
    built = time.perf_counter() - began
    print(
        f"draft: {draft.gathering.people} participants, {draft.gathering.inputs} inputs -> {len(draft.themes)} themes, "
        f"{len(draft.influential_actors) + len(draft.aggregation_points)} named, {len(draft.initiatives)} initiatives "
        f"(built in {built:.2f} s)"
    )
    print(f"{'format':<6} {'best s':>8} {'size KiB':>9} {'py peak MiB':>12} {'RSS MiB':>8} {'max RSS MiB':>12}")
    for fmt in ("json", "md", "docx"):
        best = float("inf")
        for _ in range(args.repeat):
            began = time.perf_counter()
            data = render(draft, fmt)
            best = min(best, time.perf_counter() - began)
        tracemalloc.start()
        render(draft, fmt)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{fmt:<6} {best:>8.3f} {len(data) / 1024:>9.0f} {peak / 2**20:>12.1f} {rss_mib():>8.0f} "
            f"{peak_rss_mib():>12.0f}"
        )


if __name__ == "__main__":
    main()
