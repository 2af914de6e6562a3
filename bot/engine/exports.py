"""/export: the draft upgrading plan of the active plan, sent as a file."""

from __future__ import annotations

from bot.engine.models import Reply, ReplyFile
from bot.engine.turn import Turn

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "json": "application/json",
}


def cmd_export(turn: Turn) -> list[Reply]:
    drafts = turn.providers.drafts
    plan = turn.plan()
    if drafts is None or plan is None:
        return [turn.reply("engine.not_available", command="export")]
    words = [word.casefold() for word in turn.incoming.args.split()]
    named = "named" in words
    formats = [word for word in words if word != "named"]
    exported = drafts.export(plan.id, (formats or ["docx"])[0], session=turn.session, named=named)
    attachment = ReplyFile(name=exported.name, content=exported.content, mime_type=MEDIA_TYPES[exported.fmt])
    return [
        Reply(text=turn.t(f"engine.export_sent.{exported.fmt}", plan=plan.name, name=exported.name), files=[attachment])
    ]
