"""Automatic cutting: the detectors (fillers, stumbles, noises; pauses live in
core.audio.cuts), their settings, and the suggestions' file. Pure."""
