"""The core knows nothing of Telegram or of the LLM package: adapters and providers depend on it, never the reverse.

Every import is read from the source (module level and inside functions alike), so a late import cannot hide a
dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bot

BOT = Path(bot.__file__).resolve().parent
# The adapters, the optional LLM provider and the composition root may import anything.
OUTSIDE_THE_CORE = ("telegram", "llm", "cli")
WIRING = ("services.py", "demo.py", "_build.py")
FORBIDDEN = ("telegram", "bot.telegram", "bot.llm")


def _core_modules() -> list[Path]:
    out = []
    for path in sorted(BOT.rglob("*.py")):
        relative = path.relative_to(BOT)
        if relative.parts[0] in OUTSIDE_THE_CORE or (len(relative.parts) == 1 and relative.name in WIRING):
            continue
        out.append(path)
    return out


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def test_the_core_imports_neither_telegram_nor_the_llm_package() -> None:
    modules = _core_modules()
    assert len(modules) > 50  # the walk really reads the core (engine, checker, capture, storage ...)
    offending = [
        f"{path.relative_to(BOT.parent)}:{line} imports {name}"
        for path in modules
        for line, name in _imports(path)
        if _forbidden(name)
    ]
    assert offending == []


def test_the_rule_catches_a_late_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from bot.llm.client import LLMClient\n    import telegram.ext\n")
    assert [name for _, name in _imports(sneaky) if _forbidden(name)] == ["bot.llm.client", "telegram.ext"]
