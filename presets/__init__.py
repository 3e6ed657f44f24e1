"""Presets shipped with producer (the top-level presets/ folder, as package data)."""
