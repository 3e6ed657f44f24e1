"""producer: raw podcast recordings to a published, verified episode."""

__version__ = "0.1.0"
