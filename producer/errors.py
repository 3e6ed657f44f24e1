"""Every error kind, each with its exit code (DESIGN.md): 1 a check failed,
2 bad input, 3 environment or service. Third-party errors are translated into
one of these where they enter."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The process's exit status (DESIGN.md): the worst of several episodes wins."""

    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2
    ENVIRONMENT = 3


class ProducerError(Exception):
    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(ProducerError):
    """A manifest, path or setting the user wrote is wrong."""

    exit_code = ExitCode.BAD_INPUT


class ChapterFormatError(InputError):
    """A chapter list in one of the import formats cannot be read."""


class MediaError(ProducerError):
    """An audio or image file cannot be read or is not what it must be."""

    exit_code = ExitCode.BAD_INPUT


class TagError(ProducerError):
    """ID3 tags could not be read or written."""

    exit_code = ExitCode.BAD_INPUT


class CheckFailed(ProducerError):
    """A measured file misses its target."""

    exit_code = ExitCode.CHECK_FAILED


class EnvironmentFailure(ProducerError):
    """A tool or service we depend on is missing or broken (ffmpeg, storage, the disk)."""

    exit_code = ExitCode.ENVIRONMENT


class StorageError(EnvironmentFailure):
    """Object storage refused or could not be reached."""


class UploadMismatch(StorageError):
    """Right after an upload the object is not the file sent: corrupted on the way, or
    (for the objects several publishers write: the website's) another writer's."""


class TimeError(ValueError):
    """A chapter time that is not a time; config turns it into an InputError naming the field."""


class Conflict(Exception):
    """The feed changed between our read and our write: read again and redo the change."""


def located(path: object, field: str | None, message: str) -> str:
    """The one format for errors about a user's file: `file: field: message`."""
    where = f"{path}: {field}: " if field else f"{path}: "
    return where + message


def os_reason(e: OSError) -> str:
    """What the OS said, and for a full disk or a file size limit what it means."""
    import errno

    reason = e.strerror or str(e) or type(e).__name__
    if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        reason += " (the disk is full or a file size limit is set)"
    elif e.errno is None:  # numpy's tofile and friends report a short write without one
        reason += " (a short write: is the disk full?)"
    return reason


def os_error_text(e: OSError, where: object = None) -> str:
    """One line for an OS error: the path it names (else `where`) and the reason."""
    return f"{e.filename or where or '?'}: {os_reason(e)}"


def os_cause(e: BaseException) -> OSError | None:
    """The OS error behind a library's error (mutagen wraps them in MutagenError), if any:
    a full disk is the environment's fault wherever it surfaces, never the input's."""
    seen: BaseException | None = e
    for _ in range(4):
        if seen is None:
            return None
        if isinstance(seen, OSError):
            return seen
        inner = next((a for a in getattr(seen, "args", ()) if isinstance(a, OSError)), None)
        seen = inner or seen.__cause__ or seen.__context__
    return None


def write_failure(path: object, what: str, e: BaseException) -> ProducerError:
    """A failed write of `what` to `path`: exit 3 when the OS refused it (a full disk,
    a file size limit, a read-only folder), else a tag error (exit 2)."""
    cause = os_cause(e)
    if cause is not None:
        return EnvironmentFailure(f"{path}: cannot write {what} ({os_reason(cause)})")
    return TagError(f"{path}: cannot write {what} ({type(e).__name__}: {e})")
