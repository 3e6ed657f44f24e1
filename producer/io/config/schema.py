"""Reading a TOML file as a schema: each table's keys taken once, typed, located in errors; defaults from the dataclasses."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


from ...errors import InputError, located

SHOW_FILE = "show.toml"


EPISODE_FILE = "episode.toml"


def default(cls: type, name: str) -> Any:
    """A setting's default, as its dataclass declares it: the one place defaults live."""
    return cls.__dataclass_fields__[name].default  # type: ignore[attr-defined]


class Table:
    """Reads one TOML table, naming `file: field` in every error."""

    def __init__(self, data: Any, file: Path, prefix: str = "") -> None:
        if not isinstance(data, dict):
            raise InputError(located(file, prefix.rstrip(".") or None, "must be a table"))
        self.data = dict(data)
        self.file = file
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def fail(self, key: str, message: str) -> InputError:
        return InputError(located(self.file, self.name(key), message))

    def take(self, key: str, kind: type | tuple[type, ...], required: bool = True,
             default: Any = None, what: str = "") -> Any:
        if key not in self.data:
            if required:
                raise self.fail(key, "is required")
            return default
        value = self.data.pop(key)
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise self.fail(key, f"must be {what or _kind_name(kind)}, not {value!r}")
        if not isinstance(value, kind):
            raise self.fail(key, f"must be {what or _kind_name(kind)}, not {value!r}")
        return value

    def text(self, key: str, required: bool = True, default: str | None = None) -> Any:
        value = self.take(key, str, required, default, "a string")
        if required and isinstance(value, str) and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def number(self, key: str, default: float) -> float:
        value = float(self.take(key, (int, float), False, default, "a number"))
        if value < 0:
            raise self.fail(key, f"must not be negative, not {value:g}")
        return value

    def table(self, key: str) -> "Table":
        return Table(self.data.pop(key, {}), self.file, f"{self.prefix}{key}.")

    def done(self) -> None:
        for key in self.data:
            raise self.fail(key, "is not a known setting")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read: {e.strerror}") from None


def resolve_inside(root: Path, base_file: Path, value: str, table: Table, key: str,
                   must_exist: bool = True) -> Path:
    """A path relative to the file that names it, refused if it leaves the show folder."""
    path = (base_file.parent / value).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        raise table.fail(key, f'"{value}" is outside the show folder {root}') from None
    if must_exist and not path.is_file():
        raise table.fail(key, f'"{value}" does not exist ({path})')
    return path


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({e})") from None
