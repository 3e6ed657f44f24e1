"""Several episodes through one command: the runner of several (batch: in turn or N at once,
the worst exit) and each episode's job (build, publish or check, as batch runs it)."""
