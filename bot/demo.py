"""`planbot demo`: a whole scripted workshop, offline, through the real Telegram adapter and engine.

The bot runs as `planbot run` would (python-telegram-bot's Application, polling), but against the loopback Bot
API server on 127.0.0.1, and the people are played from `knowledge/demo-workshop.yaml`. Nothing reaches the
network; the drafts the bot sends to the facilitator are written to the output folder.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr
from rich.console import Console
from rich.markup import escape

from bot.errors import PlanbotError
from bot.messages import catalogue
from bot.paths import knowledge_path
from bot.services import Services
from bot.settings import Settings

try:  # the loopback Bot API server and the scripted chats are a dev distribution of their own, not in the wheel
    from planbot_testkit import DEFAULT_TOKEN, FakeBotApi
    from planbot_testkit.script import INVITE_LINK, ScriptedChat, running_bot
except ModuleNotFoundError as missing:
    if missing.name != "planbot_testkit":
        raise
    raise PlanbotError(catalogue().text("errors.testkit_missing")) from None

SCRIPT = knowledge_path("demo-workshop.yaml")
FORMATS = ("docx", "md", "json")
SAVE, SKIP, ACCEPT = "Save as initiative", "Skip", "Accept"


@dataclass
class DemoResult:
    files: list[Path] = field(default_factory=list)
    stakeholders: int = 0
    inputs: int = 0
    summary: str = ""
    checks: list[str] = field(default_factory=list)
    proposals: str = ""
    initiatives: str = ""


def _has_button(chat: ScriptedChat, label: str) -> bool:
    return bool(chat.messages) and any(button["text"] == label for button in chat.messages[-1].buttons)


def _button_label(chat: ScriptedChat, number: int) -> str:
    """The label of the n-th initiative button of the newest list (labels start with "n. ")."""
    for button in chat.messages[-1].buttons:
        if button["text"].startswith(f"{number}. "):
            return button["text"]
    raise LookupError(f"no initiative {number} in the list")


def load_script(path: Path = SCRIPT) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _asked_pattern() -> re.Pattern[str]:
    """The catalogue's follow-up line ("Question {n} of {total} ({label}): ...") as a pattern that finds the label."""
    template = str(catalogue().raw("initiatives.followup")).split("{label}")
    head = re.escape(template[0]).replace(re.escape("{n}"), r"\d+").replace(re.escape("{total}"), r"\d+")
    tail = re.escape(template[1].split("{question}")[0]) if len(template) > 1 else ""
    return re.compile(f"^{head}(?P<label>.+?){tail}", re.MULTILINE)


def asked_criterion(reply: str) -> str | None:
    """The criterion id of the follow-up question a /check reply asks ("Question 1 of 3 (Near-term benefits): ..."),
    read from the rubric's labels; None when the reply asks none."""
    from bot.checker.rubric import load_rubric

    found = _asked_pattern().search(reply)
    if found is None:
        return None
    labels = {spec.label: spec.id.value for spec in load_rubric().criteria}
    return labels.get(found.group("label"))


def follow_up_answer(reply: str, answers: dict[str, str]) -> str | None:
    """The script's answer to the question the checker actually asked (the script keys its answers by criterion,
    so they fit whatever order the checker asks in); None: nothing scripted for it, the facilitator taps Skip."""
    criterion = asked_criterion(reply)
    return answers.get(criterion) if criterion else None


class Workshop:
    """Plays the facilitator and the stakeholders, printing a short transcript as it goes."""

    def __init__(self, server: FakeBotApi, console: Console, script: dict[str, Any]) -> None:
        self.server = server
        self.console = console
        self.script = script

    def show(self, who: str, text: str, replies: list, full: bool = True) -> None:
        self.console.print(f"[bold cyan]{escape(who)}[/]: {escape(text)}")
        if not full:
            return
        for reply in replies:
            body = reply.plain_text or (f"[file {reply.document.file_name}]" if reply.document else "")
            self.console.print(f"  [green]planbot[/]: {escape(body)}")

    async def facilitator_opens_the_plan(self, chat: ScriptedChat) -> str:
        plan = self.script["plan"]
        for text, expect in ((f"/newplan {plan['name']}", 1), (plan["value_chain"], 1), (plan["region"], 2)):
            replies = await chat.say(text, expect=expect)
            self.show(self.script["facilitator"]["name"], text, replies)
        links = "\n".join(reply.plain_text for reply in replies)
        stakeholder_line = next(line for line in links.splitlines() if "stakeholder" in line.lower())
        for text in (f"/vision {plan['vision']}", f"/meeting {plan['next_meeting']}"):
            self.show(self.script["facilitator"]["name"], text, await chat.say(text))
        return INVITE_LINK.search(stakeholder_line).group(2)

    async def stakeholder_is_interviewed(self, person: dict[str, Any], code: str, first: bool) -> ScriptedChat:
        chat = ScriptedChat(self.server, self.server.new_user(person["name"]), timeout=120)
        self.show(person["name"], "(opens the invite link)", await chat.say(f"/start {code}"), full=first)
        for label in ("I agree", person["role"], person["size"]):
            self.show(person["name"], f"[{label}]", await chat.tap(label), full=first)
        organisation = person.get("organisation")
        replies = await (chat.say(organisation) if organisation else chat.tap("Skip"))
        self.show(person["name"], organisation or "[Skip]", replies, full=first)
        for n, answer in enumerate(person["answers"]):
            self.show(person["name"], answer, await chat.say(answer), full=first and n < 2)
        if not first:
            self.console.print(f"  [dim]… {len(person['answers'])} answers given[/dim]")
        return chat


async def run_workshop(settings: Settings, out_dir: Path, console: Console, script: dict[str, Any]) -> DemoResult:
    result = DemoResult()
    async with FakeBotApi(DEFAULT_TOKEN) as server:
        demo_settings = settings.model_copy(
            update={"telegram_bot_token": SecretStr(DEFAULT_TOKEN), "telegram_base_url": server.base_url}
        )
        async with running_bot(lambda: Services(demo_settings)):
            workshop = Workshop(server, console, script)
            facilitator = ScriptedChat(server, server.new_user(script["facilitator"]["name"]), timeout=120)
            console.rule("The facilitator opens the plan")
            code = await workshop.facilitator_opens_the_plan(facilitator)
            console.rule("Six stakeholders are interviewed on Telegram")
            for n, person in enumerate(script["stakeholders"]):
                await workshop.stakeholder_is_interviewed(person, code, first=n == 0)
            result.stakeholders = len(script["stakeholders"])

            console.rule("What the facilitator sees")
            summary = await facilitator.say("/summary")
            result.summary = summary[0].plain_text
            workshop.show(script["facilitator"]["name"], "/summary", summary)

            console.rule("Initiatives checked against the guidance")
            name = script["facilitator"]["name"]
            for item in script.get("checks", []):
                replies = await facilitator.converse(f"/check {item['text']}")
                result.checks.append(replies[0].plain_text)
                workshop.show(name, f"/check {item['text']}", replies)
                answers = dict(item.get("follow_ups") or {})
                while (answer := follow_up_answer(replies[-1].plain_text, answers)) is not None:
                    answers.pop(asked_criterion(replies[-1].plain_text) or "", None)  # each answered once
                    replies = await facilitator.converse(answer)
                    workshop.show(name, answer, replies)
                if not _has_button(facilitator, SAVE):
                    workshop.show(name, "[Skip]", await facilitator.choose(SKIP))
                workshop.show(name, f"[{SAVE}]", await facilitator.choose(SAVE))

            console.rule("Initiatives proposed from what the stakeholders said")
            replies = await facilitator.converse("/propose")
            result.proposals = replies[0].plain_text
            workshop.show(name, "/propose", replies)
            for pick in script.get("accept", []):
                listing = await facilitator.converse("/initiatives")
                label = _button_label(facilitator, pick)
                workshop.show(name, "/initiatives", listing if pick == script["accept"][0] else [])
                await facilitator.choose(label)
                workshop.show(name, f"[{label}] [Accept]", await facilitator.choose(ACCEPT))
            final = await facilitator.converse("/initiatives")
            result.initiatives = final[0].plain_text
            workshop.show(name, "/initiatives", final)

            console.rule("Drafts for the plan editors")
            out_dir.mkdir(parents=True, exist_ok=True)
            for fmt in FORMATS:
                replies = await facilitator.converse(f"/export {fmt}")
                documents = [reply.document for reply in replies if reply.document is not None]
                if not documents:
                    raise RuntimeError(f"/export {fmt} sent no file: {[r.plain_text for r in replies]}")
                for document in documents:  # the Markdown draft comes with the chart images it links to
                    target = out_dir / document.file_name
                    target.write_bytes(document.data)
                    result.files.append(target)
                workshop.show(script["facilitator"]["name"], f"/export {fmt}", replies)
    return result


def run_demo(settings: Settings, out_dir: Path, console: Console) -> DemoResult:
    """A fresh demo data dir under the data dir each run, so the demo never mixes with real plans."""
    data_dir = settings.data_dir / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)
    demo_settings = settings.model_copy(update={"data_dir": data_dir, "database_url": None})
    demo_settings.__dict__.pop("resolved_database_url", None)
    return asyncio.run(run_workshop(demo_settings, out_dir, console, load_script()))
