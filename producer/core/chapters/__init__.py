"""Chapters: the model, the formats they come in and go out as, times."""
