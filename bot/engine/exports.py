"""/export: the draft upgrading plan of the active plan, sent as a file.

The Markdown draft links its charts as PNG files beside it; they are sent as documents of their own after it
(not as a zip, which a phone cannot open, nor as photos, which Telegram would recompress and rename), under the
names the draft links, so saving them together on a laptop shows the pictures."""

from __future__ import annotations

from bot.engine.models import Reply, ReplyFile
from bot.engine.turn import Turn

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "json": "application/json",
    "png": "image/png",
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
    companions = list(exported.companions)
    files = [
        ReplyFile(name=item.name, content=item.content, mime_type=MEDIA_TYPES.get(item.fmt, "application/octet-stream"))
        for item in [exported, *companions]
    ]
    text = turn.t(f"engine.export_sent.{exported.fmt}", plan=plan.name, name=exported.name)
    if companions:
        text += "\n" + turn.t("engine.export_charts", charts=len(companions))
    return [Reply(text=text, files=files)]
