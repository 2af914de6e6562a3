from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import Settings, load_settings


def test_defaults_follow_the_contract(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.data_dir == Path("./data")
    assert settings.resolved_database_url == f"sqlite:///{(Path('data') / 'planbot.db').resolve()}"
    assert settings.chroma_url is None and settings.llm is None and settings.telegram_bot_token is None
    assert settings.telegram_base_url == "https://api.telegram.org/bot"
    assert settings.log_level == "INFO"


def test_environment_variables_are_read(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("PLANBOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("PLANBOT_CHROMA_URL", "")
    settings = load_settings()
    assert settings.data_dir == Path("/tmp/elsewhere")
    assert settings.resolved_database_url == "postgresql+psycopg://u@h/db"
    assert settings.log_level == "DEBUG"
    assert settings.chroma_url is None


def test_dotenv_file_is_read(clean_env: Path) -> None:
    (clean_env / ".env").write_text("PLANBOT_MAX_FILE_BYTES=1234\n")
    assert load_settings().max_file_bytes == 1234


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PLANBOT_LOG_LEVEL", "loud"), ("PLANBOT_MAX_FILE_BYTES", "ten"), ("PLANBOT_MAX_FILE_BYTES", "-1")],
)
def test_a_malformed_setting_is_one_line_naming_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable}:")
    assert "\n" not in message


def test_every_setting_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"


def test_secrets_do_not_show_in_repr(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:SECRET-TOKEN")
    settings = load_settings()
    assert "SECRET-TOKEN" not in repr(settings)
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123:SECRET-TOKEN"
