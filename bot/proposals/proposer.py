"""The offline proposer: structured initiatives built from the entities and facts of a plan's inputs, checked.

Pure: the same material gives the same proposals. Each proposal is a `ProposalFields` (title, what happens, who
leads, where, first small step, near-term benefit and when, who invests what, who benefits), every value taken
from the plan's inputs by the phrase extractor (bot/proposals/phrases.py) with the ids it came from, the
pattern's own wording around it; a field the inputs do not settle stays open with a question for the meeting.
The initiative text the checker reads is rendered from those fields, each field's sentence scoped to the
criteria it speaks to (the library's `scopes`: "First benefit: ..." is never evidence of investment), so a
criterion whose field is open stays unclear and its question goes to the meeting; a draft the checker does not
recommend at all is never proposed. Each answer (step, quick win, pledge) belongs to the problem theme it is
closest to and goes only into proposals on that theme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.checker.judge import Checker
from bot.checker.models import GuidanceCitation, ScopedText, Scorecard
from bot.domain import SUPPORT_QUALITIES, InputKind, Status, Verdict
from bot.messages import catalogue
from bot.proposals import phrases
from bot.proposals.facts import Entity, Fact, PlanFacts, third_person
from bot.proposals.models import Credit, PlanMaterial, Proposal, ProposalAnswer, ProposalFields, Slot
from bot.proposals.patterns import TITLE_LIMIT, Pattern, PatternLibrary, Vocabulary, load_patterns, slot_names
from bot.proposals.phrases import word_set
from bot.proposals.render import render, scoped

VERDICT_RANK = {Verdict.recommended: 0, Verdict.revise: 1, Verdict.not_recommended: 2}
PROBLEM_KINDS = (InputKind.constraint, InputKind.opportunity)
SAME_PROBLEM = 0.6  # cosine at which two problem inputs of one theme say the same thing
MAX_COPY = 12  # no field repeats more than this many words of an input in a row
_MEASURES = word_set("lorry lorries lot lots batch batches bag bags load loads truck trucks kg tonne tonnes")
WHOLE_INPUT_WORDS = 7  # a title never quotes a whole input this long


@dataclass
class Core:
    """What a proposal is built around: a problem (with the inputs that say the same) or a stakeholder idea."""

    kind: str  # "problem" | "idea"
    fact: Fact
    support: list[Fact]
    theme: int | None = None  # which of the plan's ranked problem themes it comes from (None: no theme holds it)

    @property
    def people(self) -> int:
        return len({f.item.person_id for f in self.support if f.item.person_id is not None}) or 1

    @property
    def ids(self) -> list[int]:
        return [f.id for f in self.support]


@dataclass
class _Draft:
    pattern: Pattern
    core: Core
    problem: Core | None
    fields: ProposalFields
    text: str
    checked: ScopedText  # the text as checked: each field's sentence scoped to the criteria it speaks to
    fit: float
    credit: Credit | None = None
    scorecard: Scorecard | None = None
    used_problem: int = 0
    extra_ids: list[int] = field(default_factory=list)

    def met(self) -> int:
        assert self.scorecard is not None
        return sum(1 for result in self.scorecard.criteria if result.status is Status.met)


class OfflineProposer:
    """Drafts structured initiatives from a plan's ranked problems, ideas and named players."""

    def __init__(self, checker: Checker, embeddings: Embeddings, patterns: PatternLibrary | None = None) -> None:
        self.checker = checker
        self.embeddings = embeddings
        self.library = patterns or load_patterns()

    def propose(self, material: PlanMaterial) -> list[Proposal]:
        if not material.inputs:
            return []
        facts = PlanFacts(material, self.embeddings, self.library)
        problems = self._problems(material, facts)
        ideas = self._ideas(facts)
        if not problems and not ideas:
            return []
        words = self.library.words_for(material.value_chain, material.name)
        fits = self._fits(problems, facts)
        used: Counter[int] = Counter()
        titles: set[str] = set()
        proposals: list[Proposal] = []
        for pattern in self.library.patterns:
            drafts = self._drafts(pattern, problems, ideas, facts, fits, material, words)
            for draft in self._choose(drafts, used, titles):
                if draft.problem is not None:
                    used[draft.problem.fact.id] += 1
                titles.add(draft.fields.title.value or "")
                proposals.append(self._proposal(draft, facts))
        return sorted(
            proposals,
            key=lambda p: (
                VERDICT_RANK[p.verdict],
                -sum(1 for r in p.scorecard.criteria if r.status is Status.met),
                -p.people,
            ),
        )

    # ---- cores ------------------------------------------------------------------------------------------

    def _problems(self, material: PlanMaterial, facts: PlanFacts) -> list[Core]:
        """Problem themes, most people first, each around its central input with the inputs that say the same."""
        cores: list[Core] = []
        seen: set[int] = set()
        for number, theme in enumerate(material.ranked(*PROBLEM_KINDS)):
            members = [facts.by_id[i] for i in theme.input_ids if i in facts.by_id and facts.by_id[i].role == "problem"]
            members = [m for m in members if m.id not in seen]
            if not members:
                continue
            central = next(
                (m for m in members if " ".join(m.item.text.split()).startswith(theme.label[:20])), members[0]
            )
            members = [central, *(m for m in members if m is not central)]
            while members:  # a theme that holds different problems gives one core each
                anchor = members[0]
                support = [m for m in members if m is anchor or _cosine(facts, m.id, anchor.id) >= SAME_PROBLEM]
                seen.update(m.id for m in support)
                cores.append(Core("problem", anchor, support, number))
                members = [m for m in members if m not in support]
        for fact in facts.of_role("problem"):  # problems no theme holds (hand-built material, notes)
            if fact.id not in seen:
                seen.add(fact.id)
                cores.append(Core("problem", fact, [fact]))
        return sorted(cores, key=lambda c: -c.people)

    def _ideas(self, facts: PlanFacts) -> list[Core]:
        """Stakeholders' ideas (with a verb phrase), the same idea from several people counted once."""
        cores: list[Core] = []
        seen: set[int] = set()
        for fact in facts.of_role("idea"):
            if fact.id in seen or fact.action is None:
                continue
            same = [f for f in facts.similar(fact.id, "idea", self.library.same_idea_threshold) if f.id not in seen]
            seen.update(f.id for f in same)
            cores.append(Core("idea", fact, same))
        return sorted(cores, key=lambda c: -c.people)

    def _fits(self, problems: list[Core], facts: PlanFacts) -> dict[tuple[str, int], float]:
        """Cosine similarity of each problem to each pattern's fit sentences."""
        patterns = [p for p in self.library.patterns if p.fits]
        texts = [f for p in patterns for f in p.fits]
        if not texts or not problems:
            return {}
        vectors = np.asarray(self.embeddings.embed_documents(texts), dtype=float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        vectors = vectors / norms
        scores: dict[tuple[str, int], float] = {}
        at = 0
        for pattern in patterns:
            fit_vectors = vectors[at : at + len(pattern.fits)]
            at += len(pattern.fits)
            for core in problems:
                vector = facts.vector([core.fact.id])
                scores[(pattern.id, core.fact.id)] = float((fit_vectors @ vector).max()) if vector.size else 0.0
        return scores

    # ---- drafts -----------------------------------------------------------------------------------------

    def _drafts(
        self,
        pattern: Pattern,
        problems: list[Core],
        ideas: list[Core],
        facts: PlanFacts,
        fits: dict[tuple[str, int], float],
        material: PlanMaterial,
        words: Vocabulary,
    ) -> list[_Draft]:
        most = max((c.people for c in [*problems, *ideas]), default=1) or 1
        drafts: list[_Draft] = []
        if pattern.core == "idea":
            for idea in ideas[: pattern.per_idea]:
                problem = self._closest_problem(idea, problems, facts)
                draft = self._build(pattern, idea, problem, facts, material, words, idea.people / most, problems)
                if draft is not None:
                    drafts.append(draft)
            return drafts
        ranked = sorted(problems, key=lambda c: -(fits.get((pattern.id, c.fact.id), 0.0) + 0.2 * c.people / most))
        ranked = [c for c in ranked if fits.get((pattern.id, c.fact.id), 0.0) >= pattern.min_fit]
        for problem in ranked[: self.library.candidates_per_pattern]:
            fit = fits.get((pattern.id, problem.fact.id), 0.0) + 0.2 * problem.people / most
            draft = self._build(pattern, problem, problem, facts, material, words, fit, problems)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def _closest_problem(self, idea: Core, problems: list[Core], facts: PlanFacts) -> Core | None:
        vector = facts.vector(idea.ids)
        words = set().union(*(facts.words[i] for i in idea.ids))
        scored = [(max(facts.closeness(i, vector, words) for i in p.ids), p) for p in problems]
        scored = [(s, p) for s, p in scored if s >= self.library.problem_threshold]
        return max(scored, key=lambda sp: (sp[0], sp[1].people))[1] if scored else None

    def _build(
        self,
        pattern: Pattern,
        core: Core,
        problem: Core | None,
        facts: PlanFacts,
        material: PlanMaterial,
        words: Vocabulary,
        fit: float,
        problems: list[Core] | None = None,
    ) -> _Draft | None:
        ids = list(dict.fromkeys([*core.ids, *(problem.ids if problem else [])]))
        anchor = [core.fact.id] + ([problem.fact.id] if problem and problem is not core else [])
        vector = facts.vector(anchor)
        core_words = set().union(*(facts.words[i] for i in anchor))
        own = self._own_theme(facts, vector, core_words, problem, problems or [])
        fields = ProposalFields()
        questions = self.library.questions
        link = self.library.link_threshold

        # who leads, where
        lead = self._entity(
            facts.actors, vector, core_words, facts, self.library.actor_threshold, required=pattern.lead == "required"
        )
        if pattern.lead == "required" and lead is None:
            return None
        fields.lead = self._entity_slot(lead, facts.actors, questions.lead, questions.lead_options)
        points = facts.points
        if pattern.where in ("lender", "required_lender"):
            points = [p for p in points if p.lends]
        elif pattern.where in ("buyer", "required_buyer"):
            points = [p for p in points if p.buys]
        required_place = pattern.where.startswith("required")
        place = self._entity(points, vector, core_words, facts, self.library.place_threshold, required=required_place)
        if required_place and place is None:
            return None
        fields.where = self._entity_slot(place, points or facts.points, questions.where, questions.where_options)

        # first step, near-term benefit, investment: a stakeholder's own answer close to this proposal
        step = self._closest(
            facts.of_role("step"), vector, core_words, facts, link, lambda f: f.action is not None and own(f)
        )
        if step is not None and step.action is not None:
            value = step.action.thing if step.action.stated_as_thing and step.action.thing else step.action.verb_phrase
            fields.first_step = Slot(value=value, sources=[step.id])
        else:
            fields.first_step = Slot(question=questions.first_step)
        win = self._closest(facts.of_role("win"), vector, core_words, facts, link, lambda f: bool(f.benefit) and own(f))
        if win is not None and win.benefit:
            fields.benefit = Slot(value=win.benefit, sources=[win.id])
            if win.when is not None and not win.when.frequency:
                fields.when = Slot(value=win.when.text, sources=[win.id])
            else:
                fields.when = Slot(question=questions.when.format(benefit=win.benefit))
        else:
            fields.benefit = Slot(question=questions.benefit)
        pledges = self._pledges(facts, [vector, facts.vector([core.fact.id])], core_words, own)
        if pledges:
            fields.investment = Slot(
                value="; ".join(_pledge_text(p, f) for f, p in pledges),
                sources=list(dict.fromkeys(f.id for f, _ in pledges)),
            )
        else:
            thing = core.fact.action.thing if core.fact.action and core.fact.action.stated_as_thing else None
            fields.investment = Slot(
                question=questions.investment_for.format(thing=_the(thing)) if thing else questions.investment
            )

        # what happens and the title
        values, sources = self._values(core, problem, fields, win, material, words, facts)
        template = pattern.what
        if pattern.what_otherwise and not slot_names(template) <= set(values):
            template = pattern.what_otherwise
        what = _fill(template, values)
        what_sources = [i for name in slot_names(template) for i in sources.get(name, [])]
        if pattern.core == "idea" and problem is not None:
            raised = self.library.render.raised.format(people=_people(problem.people), problem=values["problem"])
            what = f"{_sentence(what)} {raised}"
            what_sources += sources.get("problem", [])
        fields.what = Slot(value=_sentence(what), sources=list(dict.fromkeys([*core.ids, *what_sources])))
        fields.title = self._title(pattern, values, sources, facts)
        if not fields.title.sources:  # a title in the pattern's own words is about the proposal's core
            fields.title.sources = list(anchor)

        # who benefits
        used = [facts.by_id[i] for i in dict.fromkeys([*ids, *fields.sources()]) if i in facts.by_id]
        raisers = [facts.by_id[i] for i in ids if i in facts.by_id]
        fields.beneficiaries, fields.mse_share = self._beneficiaries(used, raisers, place)
        fields = _guarded(fields, facts)
        credit = None
        if core.kind == "idea":
            credit = Credit(
                input_ids=core.ids,
                people=core.people,
                note=catalogue().text("proposals.credit", people=core.people),
            )
        return _Draft(
            pattern=pattern,
            core=core,
            problem=problem,
            fields=fields,
            text=render(fields, self.library.render),
            checked=scoped(fields, self.library.render, self.library.scopes),
            fit=fit,
            credit=credit,
            extra_ids=ids,
        )

    @staticmethod
    def _own_theme(
        facts: PlanFacts, vector: np.ndarray, words: set[str], problem: Core | None, problems: list[Core]
    ) -> Callable[[Fact], bool]:
        """Whether an answer (a small step, a quick win, a pledge) belongs to this proposal's theme. An answer
        belongs to the theme of the problem it is closest to, so a beach clean-up never takes the road's answers,
        nor the road proposal the beach's "clean beach for July"; a proposal with no problem takes only answers
        closer to it than to any problem."""
        cores = [(other, facts.vector([other.fact.id]), facts.words.get(other.fact.id, set())) for other in problems]

        def own(fact: Fact) -> bool:
            scored = [(facts.closeness(fact.id, v, w), other) for other, v, w in cores]
            if not scored:
                return True
            score, nearest = max(scored, key=lambda so: so[0])
            if problem is None:
                return facts.closeness(fact.id, vector, words) >= score
            if problem.theme is None or nearest.theme is None:
                return nearest is problem
            return nearest.theme == problem.theme

        return own

    def _pledges(
        self, facts: PlanFacts, vectors: list[np.ndarray], words: set[str], own: Callable[[Fact], bool]
    ) -> list[tuple[Fact, phrases.Pledge]]:
        """Up to three pledges close enough to the proposal (to its core and problem, or its core alone),
        closest first."""
        scored = [
            (max(facts.pledge_closeness(fact, n, vector, words) for vector in vectors), fact, pledge)
            for fact in facts.of_role("pledge")
            if own(fact)
            for n, pledge in enumerate(fact.pledges)
        ]
        scored = sorted([s for s in scored if s[0] >= self.library.pledge_threshold], key=lambda s: -s[0])
        return [(fact, pledge) for _, fact, pledge in scored[:3]]

    def _entity(
        self,
        entities: list[Entity],
        vector: np.ndarray,
        words: set[str],
        facts: PlanFacts,
        threshold: float,
        *,
        required: bool,
    ) -> Entity | None:
        """The named player closest to the proposal (more people naming it counts a little); when not required,
        only one close enough."""
        if not entities:
            return None
        most = max(len(e.people) for e in entities) or 1
        scored = [(facts.entity_closeness(e, vector, words), e) for e in entities]
        if not required:
            scored = [(score, e) for score, e in scored if score >= threshold]
        if not scored:
            return None
        return max(scored, key=lambda se: se[0] + 0.05 * len(se[1].people) / most)[1]

    @staticmethod
    def _entity_slot(entity: Entity | None, options: list[Entity], question: str, with_options: str) -> Slot:
        if entity is not None:
            return Slot(value=entity.name, sources=list(entity.sources), detail=entity.detail)
        names = [e.name for e in options[:2]]
        if names:
            shown = " or ".join(names) if len(names) > 1 else catalogue().text("proposals.or_else", option=names[0])
            return Slot(question=with_options.format(options=shown))
        return Slot(question=question)

    @staticmethod
    def _closest(
        candidates: list[Fact], vector: np.ndarray, words: set[str], facts: PlanFacts, threshold: float, usable
    ) -> Fact | None:
        scored = [(facts.closeness(f.id, vector, words), f) for f in candidates if usable(f)]
        scored = [(s, f) for s, f in scored if s >= threshold and facts.specific(f.id, s)]
        return max(scored, key=lambda sf: sf[0])[1] if scored else None

    def _values(
        self,
        core: Core,
        problem: Core | None,
        fields: ProposalFields,
        win: Fact | None,
        material: PlanMaterial,
        words: Vocabulary,
        facts: PlanFacts,
    ) -> tuple[dict[str, str], dict[str, list[int]]]:
        """The slot values of the pattern's title and text, and the input ids each comes from."""
        graded = self._graded(facts)
        values: dict[str, str] = {
            "producers": words.producers,
            "product": graded[0] if graded else words.product,
            "buyers": words.buyers,
            "chain": phrases.text_of(phrases.tokens(material.value_chain)) or "value",
            "region": phrases.text_of(phrases.tokens(material.region)) or "the area",
        }
        sources: dict[str, list[int]] = {"product": [graded[1]]} if graded else {}
        if problem is not None:
            fact = problem.fact
            if fact.topic:
                values["topic"] = fact.topic
                sources["topic"] = [fact.id]
            named = fact.topic or (f'"{fact.clause}"' if fact.clause else None)
            if named:
                values["problem"] = named
                sources["problem"] = problem.ids
        action = core.fact.action if core.kind == "idea" else None
        if action is not None:
            values["action"] = action.verb_phrase
            sources["action"] = [core.fact.id]
            if action.subject:
                values["doers"] = action.subject
                sources["doers"] = [core.fact.id]
        for name, slot in (("actor", fields.lead), ("point", fields.where)):
            if slot.value:
                values[name] = slot.value
                sources[name] = list(slot.sources)
        if fields.lead.value:  # "Mzee Omari, the beach management chairman": the name alone in a title
            values["actor_short"] = fields.lead.value.split(",")[0]
            head = values["actor_short"].split()[-1].lower()
            values["s"] = "" if head.endswith("s") and not head.endswith("ss") else "s"
        else:
            values["s"] = "s"
        if fields.where.value:
            values["lender"] = values["buyer"] = fields.where.value
            sources["lender"] = sources["buyer"] = list(fields.where.sources)
        if win is not None and win.benefit and fields.when.value:
            values["benefit"], values["when"] = win.benefit, fields.when.value
            sources["benefit"] = sources["when"] = [win.id]
        if "topic" not in values and "problem" in values:
            values["topic"] = values["problem"]  # in the text a short quoted clause may stand for the topic
            sources["topic"] = sources["problem"]
            values["_topic_is_clause"] = "1"
        return values, sources

    @staticmethod
    def _graded(facts: PlanFacts) -> tuple[str, int] | None:
        """What a stakeholder said they would grade ("grade the fish and sell the best" -> "the fish")."""
        for fact in facts.facts:
            words = phrases.tokens(fact.item.text)
            for n, word in enumerate(words[:-1]):
                if word.lower() in ("grade", "sort") and words[n + 1].lower() not in phrases.PREPOSITIONS:
                    thing = phrases.noun_phrase(words[n + 1 :], 3)
                    bare = [
                        w
                        for w in thing
                        if w.lower() not in phrases.DETERMINERS | phrases.ADVERBS and phrases.number_of(w) is None
                    ]
                    if bare and not {w.lower() for w in bare} & _MEASURES:
                        return phrases.join(bare), fact.id
        return None

    def _title(self, pattern: Pattern, values: dict[str, str], sources: dict[str, list[int]], facts: PlanFacts) -> Slot:
        """The first title option whose slots the plan has and that fits; a title never quotes a whole input."""
        usable = dict(values)
        if usable.pop("_topic_is_clause", None) or phrases.is_clause_like(usable.get("topic", "")):
            usable.pop("topic", None)  # "work on farmers recycle seed": a clause never stands for a topic in a title
        if "actor_short" in usable:
            usable["actor"] = usable.pop("actor_short")
        if "when" in usable:  # "for the high season in July" -> "for the high season" in a title
            words = phrases.tokens(usable["when"])
            cut = next((n for n in range(1, len(words)) if words[n].lower() in phrases.PREPOSITIONS), len(words))
            usable["when"] = phrases.join(words[:cut])
        for template in pattern.titles:
            names = slot_names(template)
            if not names <= set(usable):
                continue
            title = phrases.capital(_fill(template, usable))
            if self._not_whole(title, facts) != title:
                continue  # it would quote a whole input; cut short it may lose its object ("Work together")
            if len(title) <= TITLE_LIMIT:
                ids = [i for name in names for i in sources.get(name, [])]
                return Slot(value=title, sources=list(dict.fromkeys(ids)))
        last = next((t for t in reversed(pattern.titles) if slot_names(t) <= set(usable)), pattern.titles[-1])
        fallback = self._not_whole(phrases.capital(_fill(last, usable)), facts)
        if len(fallback) > TITLE_LIMIT:  # a long name in the last option: cut before a whole word
            fallback = phrases.join(phrases.compress(phrases.tokens(fallback), 10))
        ids = [i for name in slot_names(last) for i in sources.get(name, [])]
        return Slot(value=fallback, sources=list(dict.fromkeys(ids)))

    @staticmethod
    def _not_whole(title: str, facts: PlanFacts) -> str:
        """A title that would quote a whole input of seven words or more loses a phrase of it."""
        words = phrases.tokens(title)
        for fact in facts.facts:
            said = [w.lower() for w in phrases.tokens(fact.item.text) if w not in phrases.PUNCT]
            if len(said) >= WHOLE_INPUT_WORDS and phrases.copied_run(title, fact.item.text) >= len(said):
                shorter = phrases.compress(words, len(said) - 1)
                return phrases.capital(phrases.join(shorter))
        return title

    def _beneficiaries(self, used: list[Fact], raisers: list[Fact], place: Entity | None) -> tuple[Slot, float | None]:
        """Who gains: the small or numbered groups the inputs name, and how many of the people who raised it run
        micro or small firms; open when the inputs say neither."""
        groups: list[tuple[str, int]] = []
        keys: set[frozenset[str]] = set()
        candidates = [(g, f.id) for f in used for g in f.groups]
        if place is not None:
            candidates += place.reach
        for group, source in candidates:
            key = phrases.key_of(group)
            if key in keys or any(key < other for other in keys):
                continue
            keys = {k for k in keys if not k < key} | {key}
            groups = [(g, s) for g, s in groups if phrases.key_of(g) in keys] + [(group, source)]
        groups = sorted(groups, key=lambda gs: _group_rank(gs[0]))
        heads: set[str] = set()
        kept = []
        for group, source in groups:  # "small guesthouses", not also "ten guesthouses"
            head = phrases.tokens(group)[-1].lower()
            if head not in heads:
                heads.add(head)
                kept.append((group, source))
        groups = kept[:2]
        people: dict[int, Fact] = {}
        for fact in raisers:
            if fact.item.person_id is not None and fact.item.size is not None:
                people.setdefault(fact.item.person_id, fact)
        mse = [f for f in people.values() if f.mse]
        render = self.library.render
        detail = None
        if mse:
            if len(people) == 1:
                detail = render.mse_person
            elif len(mse) == len(people):
                detail = render.mse_all.format(people=len(people))
            else:
                detail = render.mse_people.format(mse=len(mse), people=len(people))
        share = len(mse) / len(people) if people else None
        if groups:
            value = _and([g for g, _ in groups])
            sources = list(dict.fromkeys([*(s for _, s in groups), *(f.id for f in mse)]))
            shown = f"{render.mse_firms}: {detail}" if detail else None
            return Slot(value=value, sources=sources, detail=shown), share
        # that the people who raised it run small firms does not say who would gain: nobody said it, so it is a
        # question for the meeting (the share stays in `mse_share`), never a "micro and small firms gain" claim
        # the checker would read as evidence
        return Slot(question=self.library.questions.beneficiaries), share

    # ---- choice -----------------------------------------------------------------------------------------

    def _choose(self, drafts: list[_Draft], used: Counter[int], titles: set[str]) -> list[_Draft]:
        """The best checked draft per pattern (per idea for the idea pattern); never a not_recommended one."""
        for draft in drafts:
            draft.scorecard = self.checker.check(draft.checked)
            draft.used_problem = used[draft.problem.fact.id] if draft.problem is not None else 0
        groups: dict[str, list[_Draft]] = {}
        for draft in drafts:
            key = f"idea:{draft.core.fact.id}" if draft.core.kind == "idea" else draft.pattern.id
            groups.setdefault(key, []).append(draft)
        chosen = []
        for group in groups.values():
            fine = [
                d
                for d in group
                if d.scorecard is not None
                and d.scorecard.verdict is not Verdict.not_recommended
                and (d.fields.title.value or "") not in titles
            ]
            if fine:
                fine.sort(key=lambda d: (VERDICT_RANK[d.scorecard.verdict], d.used_problem, -d.met(), -d.fit))
                chosen.append(fine[0])
                titles.add(fine[0].fields.title.value or "")
        return chosen

    def _proposal(self, draft: _Draft, facts: PlanFacts) -> Proposal:
        assert draft.scorecard is not None
        ids = list(dict.fromkeys([*draft.extra_ids, *draft.fields.sources()]))
        answers = [
            ProposalAnswer(input_id=i, kind=facts.by_id[i].item.kind, text=facts.by_id[i].item.text)
            for i in ids
            if i in facts.by_id
        ]
        people = {facts.by_id[a.input_id].item.person_id for a in answers}
        people.discard(None)
        # who it works through: the one who leads; a place is where it happens (fields.where), never an actor
        actors = [v for v in (draft.fields.lead.value,) if v and not facts.is_place(v)]
        qualities = [q for q in SUPPORT_QUALITIES if draft.scorecard.status(q) is Status.met]
        return Proposal(
            title=draft.fields.title.value or draft.pattern.id.replace("_", " "),
            text=draft.text,
            pattern=draft.pattern.id,
            qualities=qualities,
            answers=answers,
            actors=list(dict.fromkeys(actors)),
            scorecard=draft.scorecard,
            guidance=GuidanceCitation(document=self.library.document, quote=" ".join(draft.pattern.quote.split())),
            people=len(people) or draft.core.people,
            fields=draft.fields,
            credit=draft.credit,
        )


# ---- helpers ------------------------------------------------------------------------------------------------


def _cosine(facts: PlanFacts, a: int, b: int) -> float:
    if a not in facts.row or b not in facts.row:
        return 0.0
    return float(facts.vectors[facts.row[a]] @ facts.vectors[facts.row[b]])


def _fill(template: str, values: dict[str, str]) -> str:
    """The template with the plan's values (stakeholders' words go in as data, never as a template)."""
    return template.format(**{name: values.get(name, "") for name in slot_names(template)})


def _sentence(text: str) -> str:
    text = phrases.capital(" ".join(text.split()))
    return text if text.endswith((".", "!", "?")) else text + "."


def _the(thing: str) -> str:
    words = phrases.tokens(thing)
    if words and words[0].lower() in ("a", "an"):
        words = ["the", *words[1:]]
    elif words and words[0].lower() not in phrases.DETERMINERS:
        words = ["the", *words]
    return phrases.join(words)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _people(count: int) -> str:
    return catalogue().text("proposals.people", count=count)


def _group_rank(group: str) -> tuple[int, int]:
    """Numbers and small firms first: "all 200 fishers" and "small guesthouses" before "all hotels"."""
    lows = {w.lower() for w in phrases.tokens(group)}
    numbered = any(phrases.number_of(w) is not None for w in lows)
    small = bool(lows & phrases.SMALL_WORDS)
    return (0 if numbered and small else 1 if small else 2 if numbered else 3, len(group))


def _pledge_text(pledge: phrases.Pledge, fact: Fact) -> str:
    """ "the cooperative puts some savings, if the bank gives a loan"; "we" is the speaker's kind of firm."""
    who = pledge.who or fact.speaker or catalogue().text("proposals.someone")
    plural = who.split()[-1].lower().endswith("s") and not who.split()[-1].lower().endswith("ss")
    verb = pledge.verb
    if not plural:
        first, _, rest = verb.partition(" ")
        verb = f"{third_person(first)} {rest}".strip()
    joiner = {"pay": "for", "pays": "for", "invest": "in", "invests": "in"}.get(pledge.verb, "")
    amount = pledge.what.lower().split()[0] in ("small", "little", "some", "much", joiner or "-")
    what = f"{joiner} {pledge.what}" if joiner and not amount else pledge.what  # "pay small each month", as said
    text = f"{who} {verb} {what}"
    return f"{text}, {pledge.condition}" if pledge.condition else text


def _guarded(fields: ProposalFields, facts: PlanFacts) -> ProposalFields:
    """No field repeats more than MAX_COPY words of an input in a row: a longer run is cut to its phrases."""
    for name, slot in fields.slots():
        if not slot.value:
            continue
        for fact in facts.facts:
            if phrases.copied_run(slot.value, fact.item.text) > MAX_COPY:
                shorter = phrases.join(phrases.compress(phrases.tokens(slot.value), MAX_COPY))
                setattr(fields, name, slot.model_copy(update={"value": shorter}))
                break
    return fields
