"""The episode: models, its files, the build plan and report, formats, verdicts, status."""
