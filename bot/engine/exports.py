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
    fmt = (turn.incoming.args.split() or ["docx"])[0]
    exported = drafts.export(plan.id, fmt, session=turn.session)
    attachment = ReplyFile(name=exported.name, content=exported.content, mime_type=MEDIA_TYPES[exported.fmt])
    return [
        Reply(text=turn.t(f"engine.export_sent.{exported.fmt}", plan=plan.name, name=exported.name), files=[attachment])
    ]
