"""Transcripts: cues, and recognised words into cues."""
