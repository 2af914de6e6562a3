"""The conversation as a table: for each stage, what planbot asks, what a typed message does, which button
answers it (in the spirit of python-telegram-bot's `ConversationHandler(states=...)`).

The stage is derived from the membership row (bot.engine.plans.stage), so the prompt path (`prompt`, used to
resume anywhere) and the text path (`on_stage_text`) read the same row of `STEPS` and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.engine import interview, notes, plans
from bot.engine.callbacks import Action, Callback
from bot.engine.models import Reply
from bot.engine.states import Stage
from bot.engine.topics import interview_data
from bot.engine.turn import Turn
from bot.storage.plan_models import Membership

PromptFn = Callable[[Turn, Membership], Reply]
TextFn = Callable[[Turn, Membership, str], list[Reply]]
ChoiceFn = Callable[[Turn, Membership, Callback], list[Reply]]


@dataclass(frozen=True)
class Step:
    """One stage: its prompt, its handler of typed text and (for `action`'s buttons) of a tapped choice."""

    prompt: PromptFn
    on_text: TextFn
    on_choice: ChoiceFn | None = None
    action: Action | None = None


def resume(turn: Turn, prefix: list[Reply] | None = None) -> list[Reply]:
    """`prefix`, then what the person is expected to do now."""
    return (prefix or []) + prompt(turn)


def prompt(turn: Turn) -> list[Reply]:
    """What the person is expected to do now, with its choices; used to resume anywhere."""
    membership = turn.membership()
    if membership is None or turn.plan() is None:
        return [turn.reply("engine.welcome")]
    return [STEPS[plans.stage(membership)].prompt(turn, membership)]


def on_stage_text(turn: Turn, text: str) -> list[Reply]:
    """A typed message no mode or offered button claimed: read by the person's stage."""
    membership = turn.membership()
    if membership is None:
        return [turn.reply("engine.no_plan")]
    return STEPS[plans.stage(membership)].on_text(turn, membership, text)


def on_stage_choice(turn: Turn, callback: Callback) -> list[Reply]:
    """A button of a stage (consent, profile, interview): valid only while the person is at that stage."""
    membership = turn.membership()
    step = STEPS[plans.stage(membership)] if membership is not None else None
    if membership is None or step is None or step.on_choice is None or step.action != callback.action:
        raise turn.fail("engine.stale_choice")
    return step.on_choice(turn, membership, callback)


STAGE_ACTIONS = frozenset({Action.CONSENT, Action.ROLE, Action.SIZE, Action.ORG, Action.INTERVIEW})


# ---- consent -------------------------------------------------------------------------------------------


def _consent_prompt(turn: Turn, membership: Membership) -> Reply:
    plan = turn.plan()
    assert plan is not None
    return plans.consent_prompt(turn, plan)


def _consent_more(turn: Turn) -> Reply:
    plan = turn.plan()
    assert plan is not None
    return plans.consent_prompt(turn, plan, full=True)


def _on_consent_choice(turn: Turn, membership: Membership, callback: Callback) -> list[Reply]:
    answer = callback.word
    if answer == "more":
        return [_consent_more(turn)]
    if answer not in ("yes", "named", "no"):
        return []
    return resume(turn, plans.on_consent(turn, answer != "no", named=answer == "named"))


def _on_consent_text(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    """A typed answer to the consent question: "ndio", "no", "tell me more"."""
    word = interview_data().consent_word(text)
    if word == "more":
        return [_consent_more(turn)]
    if word is None:
        return resume(turn, [turn.reply("engine.consent_needed")])
    return resume(turn, plans.on_consent(turn, word == "yes"))


# ---- the profile ---------------------------------------------------------------------------------------


def _on_profile_choice(turn: Turn, membership: Membership, callback: Callback) -> list[Reply]:
    return resume(turn, plans.on_profile_choice(turn, callback.action.value, callback.word))


def _on_role_text(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    """A typed role ("farmer", "I am a trader", a plan's own role)."""
    role = plans.typed_role(turn, membership.plan_id, text)
    if role is None:
        return resume(turn, [turn.reply("engine.role_unknown")])
    return resume(turn, plans.on_profile_choice(turn, "role", role))


def _on_size_text(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    """A typed size ("just me and my daughter", "2 workers")."""
    size = interview_data().size_for(text)
    if size is None:
        return resume(turn, [turn.reply("engine.size_unknown")])
    return resume(turn, plans.on_profile_choice(turn, "size", size))


def _on_org_text(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    return resume(turn, plans.on_org_text(turn, membership, text))


# ---- the interview, and after it -----------------------------------------------------------------------


def _on_interview_choice(turn: Turn, membership: Membership, callback: Callback) -> list[Reply]:
    return interview.on_control(turn, membership, callback.word, callback.ref)


def _facilitator_hint(turn: Turn, membership: Membership) -> Reply:
    plan = turn.plan()
    assert plan is not None
    return turn.reply("engine.facilitator_hint", plan=plan.name)


def _on_facilitator_text(turn: Turn, membership: Membership, text: str) -> list[Reply]:
    """A facilitator's message: meeting notes are captured, a question answered, anything else gets the hint."""
    if notes.NOTES_PREFIX.match(text):
        return notes.capture_notes(turn, text)
    if turn.providers.extractor.is_question(text):
        answer = turn.providers.answerer.ask(text, membership.plan_id)
        return [Reply(text=interview.render_answer(turn, answer))]
    return prompt(turn)


STEPS: dict[Stage, Step] = {
    Stage.CONSENT: Step(_consent_prompt, _on_consent_text, _on_consent_choice, Action.CONSENT),
    Stage.FACILITATOR: Step(_facilitator_hint, _on_facilitator_text),
    Stage.PROFILE_ROLE: Step(
        lambda t, m: plans.role_prompt(t, m.plan_id), _on_role_text, _on_profile_choice, Action.ROLE
    ),
    Stage.PROFILE_SIZE: Step(lambda t, m: plans.size_prompt(t), _on_size_text, _on_profile_choice, Action.SIZE),
    Stage.PROFILE_ORG: Step(lambda t, m: plans.org_prompt(t), _on_org_text, _on_profile_choice, Action.ORG),
    Stage.INTERVIEW: Step(interview.question_reply, interview.on_answer, _on_interview_choice, Action.INTERVIEW),
    Stage.DONE: Step(lambda t, m: t.reply("interview.done"), interview.on_free_text),
}
# Stage.NO_PLAN has no row: without a membership `prompt` welcomes and `on_stage_text` says there is no plan.
