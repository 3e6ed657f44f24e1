"""The feed: its reader, its items, lint, media types and dates."""
