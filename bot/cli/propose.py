"""`planbot propose --plan ID [--json]`: initiatives drafted from a plan's inputs, each checked by the guidance."""

from __future__ import annotations

import json

import typer

from bot.errors import NotFoundError
from bot.messages import catalogue


def register(app: typer.Typer) -> None:
    @app.command("propose")
    def propose(
        plan: int = typer.Option(..., "--plan", help="The plan's id (see /plans)."),
        as_json: bool = typer.Option(False, "--json", help="Print the proposals as JSON."),
    ) -> None:
        """Propose initiatives from a plan's top themes, ideas, influential actors and aggregation points."""
        from bot.cli.context import console, services
        from bot.proposals import material_for
        from bot.storage.models import Plan
        from bot.usage import llm_scope

        say = catalogue().text
        with services() as built:
            with built.db.session() as session:
                if session.get(Plan, plan) is None:  # before any model loads
                    raise NotFoundError(say("errors.plan_not_found", plan_id=plan))
                # the stored vectors, grouped as /propose groups them (a missing vector is embedded and kept)
                material = material_for(session, plan, built.plan_themes)
            offline = built.proposer  # checked by the model's judge when PLANBOT_LLM is set
            drafter = built.drafter
            if drafter is not None:  # PLANBOT_LLM: the model drafts, the offline proposer on any failure
                with llm_scope(plan=plan):
                    proposals = drafter.propose(material, offline)
            else:
                proposals = offline.propose(material)
        if as_json:
            typer.echo(json.dumps({"proposals": [p.to_json() for p in proposals]}, ensure_ascii=False, indent=2))
            return
        if not proposals:
            console.print(say("initiatives.propose_empty" if not material.inputs else "initiatives.propose_none"))
            return
        none = say("initiatives.none")
        console.print(say("initiatives.propose_header", count=len(proposals), plan=material.name), markup=False)
        for n, proposal in enumerate(proposals, start=1):
            line = say(
                "initiatives.propose_line",
                n=n,
                title=proposal.title,
                verdict=say(f"checker.verdicts.{proposal.verdict.value}"),
                qualities=", ".join(q.value for q in proposal.qualities) or none,
                answers=len(proposal.answers),
                people=proposal.people,
                actors="; ".join(proposal.actors) or none,
            )
            console.print(line, markup=False)
            if proposal.credit is not None:
                console.print(f"   {proposal.credit.note}", markup=False)
            console.print(f"   {proposal.text}", markup=False)
            for question in proposal.to_settle:
                console.print("   " + say("proposals.to_settle", question=question), markup=False)
