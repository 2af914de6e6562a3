"""Which catalogue speaks to a person, and how they change it (/language; a plan's default with /planlanguage).

The order: the language the person picked (a button at joining, or /language); else their transport's language
when planbot has a catalogue for it other than English (a phone set to French or Swahili is a deliberate choice,
English is mostly the phone's default); else the default of the plan they work in; else English.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy.orm import Session

from bot.engine.callbacks import Action, build
from bot.engine.models import Choice, Reply
from bot.engine.turn import Turn
from bot.messages import DEFAULT_LANGUAGE, LANGUAGES, Catalogue, catalogue, language_code
from bot.storage.plan_models import PersonRow, PlanSettings

# Words a person may type after /language or /planlanguage (compared without case or accents).
ALIASES: dict[str, str] = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "kiingereza": "en",
    "anglais": "en",
    "sw": "sw",
    "swa": "sw",
    "kiswahili": "sw",
    "swahili": "sw",
    "fr": "fr",
    "fra": "fr",
    "francais": "fr",
    "french": "fr",
    "kifaransa": "fr",
}


def resolve(session: Session | None, person: PersonRow | None, plan_id: int | None, code: str | None = None) -> str:
    """The language to speak to `person` (or to someone not stored yet, from their transport's `code`)."""
    if person is not None and person.chosen_language in LANGUAGES:
        return person.chosen_language
    if code is None and person is not None:
        code = person.language  # the transport's language as last seen
    told = language_code(code)
    if told is not None and told != DEFAULT_LANGUAGE:
        return told
    if plan_id is not None and session is not None:
        settings = session.get(PlanSettings, plan_id)
        if settings is not None and settings.language in LANGUAGES:
            return settings.language
    return DEFAULT_LANGUAGE


def speak(turn: Turn) -> Catalogue:
    """Re-reads the person's language after something that may change it (joining, switching plans, a pick)."""
    turn.msg = catalogue(resolve(turn.session, turn.person, turn.state.active_plan_id))
    return turn.msg


def parse(text: str) -> str | None:
    """The language a typed word names ("Kiswahili", "francais", "fr"), if any."""
    plain = unicodedata.normalize("NFKD", text.strip().casefold())
    word = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return ALIASES.get(word)


def name(turn: Turn, language: str) -> str:
    return turn.t(f"language.names.{language}")


def choices(turn: Turn, action: Action = Action.LANGUAGE) -> list[Choice]:
    """One button a language, each named in its own words (English, Kiswahili, Français); `action`: the
    person's own language, or (Action.PLAN_LANGUAGE) the active plan's default."""
    return [Choice(label=name(turn, language), data=build(action, language)) for language in LANGUAGES]


def ask(turn: Turn, given: str = "") -> Reply:
    """The three buttons, after "I do not have that language" when the person typed one planbot lacks."""
    text = turn.t("language.unknown", given=given[:30]) if given else turn.t("language.ask")
    return Reply(text=text, choices=choices(turn))


def choose(turn: Turn, language: str) -> list[Reply]:
    """The person's pick, kept until they change it or /forgetme; what follows is in the new language."""
    if language not in LANGUAGES:
        raise turn.fail("engine.stale_choice")
    turn.person.chosen_language = language
    speak(turn)
    return [turn.reply("language.set", language=name(turn, language))]


def cmd_planlanguage(turn: Turn) -> list[Reply]:
    """/planlanguage shows the plan's default with the buttons; /planlanguage fr sets it."""
    plan = turn.plan()
    assert plan is not None  # a facilitator command: checked for an active plan first
    wanted = turn.incoming.args.strip()
    if wanted:
        language = parse(wanted)
        if language is None:
            raise turn.fail("language.unknown_plan", given=wanted[:30])
        return set_plan_default(turn, language)
    settings = turn.session.get(PlanSettings, plan.id)
    current = settings.language if settings is not None and settings.language in LANGUAGES else DEFAULT_LANGUAGE
    text = turn.t("language.plan_ask", plan=plan.name, language=name(turn, current))
    return [Reply(text=text, choices=choices(turn, Action.PLAN_LANGUAGE))]


def set_plan_default(turn: Turn, language: str) -> list[Reply]:
    """The plan's default; the facilitator setting it keeps reading the language they read now (it is theirs)."""
    plan = turn.plan()
    membership = turn.membership()
    if plan is None or membership is None or membership.role != "facilitator" or language not in LANGUAGES:
        raise turn.fail("engine.stale_choice")
    if turn.person.chosen_language is None:
        turn.person.chosen_language = turn.msg.language
    PlanSettings.of(turn.session, plan.id).language = language
    turn.session.flush()
    return [turn.reply("language.plan_set", plan=plan.name, language=name(turn, language))]
