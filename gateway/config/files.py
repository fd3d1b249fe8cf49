"""Reading YAML configuration files into pydantic models, with errors people can act on.

Every problem names the file, the key path (``devices[2].settings.port``) and what was
expected; callers get one :class:`ConfigError` listing all of them, never a traceback.

The YAML dialect is YAML 1.2-like on purpose: ``22:00`` stays the string "22:00" (not the
sexagesimal number 1320), ``012`` stays "012" (a device PIN, not octal 10), only
``true``/``false`` are booleans (``no`` / ``NO`` stay strings), and decimals such as ``27.50``
are read as exact :class:`~decimal.Decimal`, never float.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from gateway.errors import ConfigError, Problem

M = TypeVar("M", bound=BaseModel)

_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_DECIMAL = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_REPLACED = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}


class _ConfigLoader(yaml.SafeLoader):
    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's per-class resolver table
        first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:float", _DECIMAL, list("-+.0123456789"))


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node))
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a number", node.start_mark
        ) from exc


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    return int(str(loader.construct_scalar(node)))


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # 2024-02-30: leave the text; the model reports the key and the format
        return loader.construct_scalar(node)


_ConfigLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_ConfigLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def key_path(loc: Iterable[int | str], prefix: str = "") -> str:
    """``("devices", 2, "port")`` -> ``devices[2].port``."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def problems_from(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """One problem per pydantic error, with the key path and what was expected."""
    found = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not _is_internal_loc(p)]
        message = str(err["msg"]).removeprefix("Value error, ")
        given = err.get("input")
        if err["type"] not in {"missing", "extra_forbidden"} and _short(given):
            message += f" (got {given!r})"
        if err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see the example files in config/)"
        found.append(Problem(key_path(loc, prefix), message))
    return found


def _is_internal_loc(part: int | str) -> bool:
    # pydantic adds union branch / function names to loc; they mean nothing to an operator
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def _short(value: object) -> bool:
    return isinstance(value, str | int | Decimal | float | bool) and len(repr(value)) <= 60


def load_yaml(path: Path) -> Any:
    """The parsed document; a missing file or a YAML syntax error is a :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            path, [Problem("", "file not found (see the example files in config/)")]
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [Problem("", f"cannot read the file: {exc}")]) from exc
    return parse_yaml_text(text, path)


def parse_yaml_text(text: str, path: Path) -> Any:
    """Parse YAML text in the config dialect (times, codes and decimals kept exact)."""
    try:
        return yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ConfigError(path, [Problem("", f"{where}invalid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, [Problem("", f"invalid YAML: {exc}")]) from exc


def load_model(path: Path, model: type[M]) -> M:
    """Read ``path`` and validate it as ``model``; all problems at once in a ConfigError."""
    return validate_document(load_yaml(path), model, path)


def parse_model(text: str, model: type[M], path: Path) -> M:
    """Validate YAML ``text`` (read from ``path``) as ``model``; problems as in load_model."""
    return validate_document(parse_yaml_text(text, path), model, path)


def validate_document(document: Any, model: type[M], path: Path) -> M:
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(
            path,
            [Problem("", f"expected a mapping of keys at the top, got {type(document).__name__}")],
        )
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(path, problems_from(exc)) from exc
