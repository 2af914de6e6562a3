"""LLM prompt templates from prompts/llm/<name>.yaml, and the one way stakeholder text enters a prompt.

Stakeholder text is data, never instructions: it goes inside `<tag>...</tag>` with every `<`, `>` and `&` in
it escaped, so a message cannot close the tag and speak as the system.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from bot.messages import PROMPTS_DIR

LLM_PROMPTS_DIR: Path = PROMPTS_DIR / "llm"


class Example(BaseModel):
    """A few-shot pair: the filled-in task and the reply the model should give."""

    input: dict[str, Any]
    output: Any


class PromptTemplate(BaseModel):
    version: str = Field(description="Bumped whenever the wording changes, so eval reports can name it.")
    system: str
    task: str
    examples: list[Example] = Field(default_factory=list)

    def render(self, **values: str) -> list[BaseMessage]:
        """System prompt, few-shot turns, then the task; `values` must already be escaped with `as_data`."""
        messages: list[BaseMessage] = [SystemMessage(self.system.strip())]
        for example in self.examples:
            filled = {key: _example_value(key, value) for key, value in example.input.items()}
            messages.append(HumanMessage(self.task.format(**filled).strip()))
            output = example.output if isinstance(example.output, str) else json.dumps(example.output)
            messages.append(AIMessage(output))
        messages.append(HumanMessage(self.task.format(**values).strip()))
        return messages


def _example_value(key: str, value: Any) -> str:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return "\n".join(escape(str(item)) for item in value)
    return escape(json.dumps(value))


@cache
def load_prompt(name: str) -> PromptTemplate:
    path = LLM_PROMPTS_DIR / f"{name}.yaml"
    return PromptTemplate.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def escape(text: str) -> str:
    """Text that cannot open or close a tag."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_data(text: str, tag: str = "stakeholder_text") -> str:
    """`text` wrapped as delimited data."""
    return f"<{tag}>\n{escape(text)}\n</{tag}>"
