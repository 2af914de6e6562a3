"""The command-line adapter (typer + rich): each command is one core call, rendered."""
