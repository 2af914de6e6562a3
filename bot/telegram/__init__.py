"""The Telegram adapter (python-telegram-bot v22): Updates in, one engine call each, rendered replies out."""
