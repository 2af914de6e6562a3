"""Transport-neutral shapes of the engine: who speaks, what arrives, what planbot answers.

Each adapter (Telegram, terminal, tests) turns its own updates into `Incoming` and renders `Reply`.
"""

from __future__ import annotations

import base64
from typing import Any

from pydantic import BaseModel, Field, field_serializer, field_validator

from bot.engine.callbacks import MAX_BYTES


class Person(BaseModel):
    """Someone talking to planbot; `key` names the transport and its user id, e.g. "tg:12345"."""

    key: str = Field(min_length=1, max_length=200)
    display_name: str = ""
    language: str | None = None


class Incoming(BaseModel):
    """One update: a text, a command with its arguments, or a tapped choice."""

    text: str | None = None
    command: str | None = None
    args: str = ""
    choice: str | None = None
    source_id: str | None = None
    edited: bool = False
    content_type: str = "text"
    document_name: str | None = None
    document_bytes: bytes | None = None
    invite_link: str | None = Field(
        None, description="How this transport links to an invite, with {code} in it (e.g. a Telegram deep link)."
    )
    chat_key: str | None = Field(
        None, description="The group chat a message came from (e.g. tg-chat:-100123); None in a private chat."
    )
    chat_type: str = Field("private", description="private | group | supergroup | channel, as the transport says.")


class Choice(BaseModel):
    """A button: `data` comes back as `Incoming.choice` (Telegram callback data: ≤ 64 bytes ASCII)."""

    label: str
    data: str

    @field_validator("data")
    @classmethod
    def _short_ascii(cls, value: str) -> str:
        if not value.isascii() or not 0 < len(value) <= MAX_BYTES:
            raise ValueError(f"choice data must be 1..{MAX_BYTES} ASCII characters (bot.engine.callbacks builds it)")
        return value


class ReplyFile(BaseModel):
    """A file to send along with a reply (exports)."""

    name: str
    content: bytes
    mime_type: str = "application/octet-stream"


class ReplyPhoto(BaseModel):
    """A picture (a chart) sent as a photo before the reply's text, with a short plain-text caption.

    Its bytes travel as base64 in JSON (the outbox keeps replies as JSON, as it does the files' bytes), so a photo
    stored before a restart is sent again whole."""

    name: str = "chart.png"
    content: bytes
    caption: str = Field("", description="Plain text (adapters escape it); Telegram shows at most 1024 characters.")
    mime_type: str = "image/png"

    @field_validator("content", mode="before")
    @classmethod
    def _from_base64(cls, value: Any) -> Any:
        return base64.b64decode(value, validate=True) if isinstance(value, str) else value

    @field_serializer("content", when_used="json")
    def _to_base64(self, value: bytes) -> str:
        return base64.b64encode(value).decode("ascii")


class PollSpec(BaseModel):
    """A poll for the adapter to post natively; `poll_id` is planbot's id, so answers can be stored as votes."""

    poll_id: int
    question: str = Field(max_length=300)
    options: list[str] = Field(min_length=2, max_length=10)
    multiple: bool = True


class Reply(BaseModel):
    """Plain text (adapters escape it), optional choices, files and a photo."""

    text: str
    choices: list[Choice] = Field(default_factory=list)
    files: list[ReplyFile] = Field(default_factory=list)
    photo: ReplyPhoto | None = Field(None, description="Sent first, as a photo with its caption; then the text.")
    error: bool = Field(False, description="A refusal that changed nothing (adapters may show it as a toast).")
    to: str | None = Field(
        None, description="Key of another person or group chat to send this to (reminders, polls); None: the sender."
    )
    poll: PollSpec | None = Field(None, description="Post this as a native poll (in a linked group).")
