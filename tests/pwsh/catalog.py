"""The command and parameter catalog (catalog.yml): what a host knows at a PowerShell level and Exchange version."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import CatalogError

__all__ = ["LEVELS", "Catalog", "CommandInfo", "Parameter"]

LEVELS = ("1.0", "2.0", "3.0", "4.0")
_ALL_LEVELS = (*LEVELS, "5.0")
_DEFAULT_PATH = Path(__file__).with_name("catalog.yml")
_NATIVE_EXTENSIONS = (".exe", ".cmd", ".bat", ".com")


@dataclass(frozen=True)
class Parameter:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandInfo:
    """A command as the host resolves it. ``parameters`` is None when the catalog does not list them."""

    name: str
    kind: str  # "cmdlet" | "exchange" | "function" | "native"
    type_name: str | None
    parameters: tuple[Parameter, ...] | None
    should_process: bool
    unsure: str | None = None

    @property
    def error_suffix(self) -> str:
        """What follows the comma in a parameter-binding FullyQualifiedErrorId."""
        return self.type_name or self.name


class Catalog:
    """Lookups over catalog.yml; load once (Catalog.load) and share."""

    def __init__(self, data: Mapping[str, object]) -> None:
        self._data = data
        self._sources = _mapping(data, "sources")
        powershell = _mapping(data, "powershell")
        self._cmdlets = {
            name.lower(): (name, _mapping_of(entry, name)) for name, entry in _mapping(powershell, "cmdlets").items()
        }
        self._aliases = {
            level: {alias.lower(): target for alias, target in _mapping_of(table, level).items()}
            for level, table in _mapping(powershell, "aliases").items()
        }
        self._functions = {
            level: [str(name) for name in names] for level, names in _mapping(powershell, "functions").items()
        }
        self._natives = {name.lower(): name for name in _mapping(_mapping(data, "natives"), "names")}
        exchange = _mapping(data, "exchange")
        self.exchange_versions = tuple(str(version) for version in exchange.get("versions", ()))
        self._exchange = {
            name.lower(): (name, _mapping_of(entry, name)) for name, entry in _mapping(exchange, "cmdlets").items()
        }
        self._common = _level_parameters(_mapping(data, "common_parameters"))
        self._should_process = _level_parameters(_mapping(data, "should_process_parameters"))
        self._validate()

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        with (path or _DEFAULT_PATH).open(encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))

    def resolve(self, name: str, *, powershell: str, exchange: str | None) -> CommandInfo | None:
        """Resolve a command name as PowerShell does: alias, function, cmdlet (Exchange ones too), then executable."""
        _check_level(powershell)
        key = name.lower()
        for level in _levels_up_to(powershell):
            target = self._aliases.get(level, {}).get(key)
            if target is not None:
                return self.resolve(target, powershell=powershell, exchange=exchange)
        for level in _levels_up_to(powershell):
            for function in self._functions.get(level, []):
                if function.lower() == key:
                    return CommandInfo(function, "function", None, None, False)
        if key in self._cmdlets:
            cmdlet_name, entry = self._cmdlets[key]
            if _level_index(str(entry.get("since", "1.0"))) <= _level_index(powershell):
                return self._powershell_cmdlet(cmdlet_name, entry, powershell)
        if exchange is not None and key in self._exchange:
            found = self._exchange_cmdlet(*self._exchange[key], exchange)
            if found is not None:
                return found
        return self._native(name)

    def common_parameters(self, *, powershell: str, should_process: bool) -> tuple[Parameter, ...]:
        names = [parameter for level in _levels_up_to(powershell) for parameter in self._common.get(level, ())]
        if should_process:
            names += [
                parameter for level in _levels_up_to(powershell) for parameter in self._should_process.get(level, ())
            ]
        return tuple(names)

    def since(self, name: str) -> str | None:
        """The PowerShell level that introduced a core cmdlet, or None when the catalog does not know it."""
        entry = self._cmdlets.get(name.lower())
        return str(entry[1].get("since", "1.0")) if entry else None

    def unsure_entries(self) -> list[str]:
        """Every entry marked unsure, as ``<name>: <why>`` lines (the lab keeps these behaviours configurable)."""
        found: list[str] = []
        for name, entry in self._cmdlets.values():
            if "unsure" in entry:
                found.append(f"{name}: {entry['unsure']}")
        for name, entry in self._exchange.values():
            for version, block in _mapping_of(entry.get("versions", {}), name).items():
                if isinstance(block, Mapping) and "unsure" in block:
                    found.append(f"{name} ({version}): {block['unsure']}")
        for name, entry in _mapping(_mapping(self._data, "natives"), "names").items():
            if isinstance(entry, Mapping) and "unsure" in entry:
                found.append(f"{name}: {entry['unsure']}")
        return found

    def _powershell_cmdlet(self, name: str, entry: Mapping[str, object], powershell: str) -> CommandInfo:
        table = entry.get("parameters")
        parameters: tuple[Parameter, ...] | None = None
        if table is not None:
            by_level = _level_parameters(_mapping_of(table, name))
            parameters = tuple(item for level in _levels_up_to(powershell) for item in by_level.get(level, ()))
        return CommandInfo(
            name=name,
            kind="cmdlet",
            type_name=_optional_str(entry.get("type")),
            parameters=parameters,
            should_process=bool(entry.get("should_process", False)),
            unsure=_optional_str(entry.get("unsure")),
        )

    def _exchange_cmdlet(self, name: str, entry: Mapping[str, object], version: str) -> CommandInfo | None:
        if version not in self.exchange_versions:
            raise CatalogError(entry=name, reason=f"unknown Exchange version {version!r}")
        versions = {str(key): value for key, value in _mapping_of(entry.get("versions", {}), name).items()}
        if version not in versions:
            return None
        current: dict[str, Parameter] = {}
        unsure = None
        for known in self.exchange_versions:
            block = versions.get(known)
            if block is None:
                continue
            block = _mapping_of(block, f"{name} {known}")
            if "parameters" in block:
                current = {item.name.lower(): item for item in _parse_parameters(block["parameters"])}
            for item in _parse_parameters(block.get("add", [])):
                current[item.name.lower()] = item
            for removed in block.get("remove", []) or []:
                current.pop(str(removed).lower(), None)
            unsure = _optional_str(block.get("unsure")) or unsure
            if known == version:
                break
        return CommandInfo(
            name=name,
            kind="exchange",
            type_name=_optional_str(entry.get("type")),
            parameters=tuple(current.values()),
            should_process=bool(entry.get("should_process", False)),
            unsure=unsure,
        )

    def _native(self, name: str) -> CommandInfo | None:
        base = name.replace("/", "\\").rsplit("\\", 1)[-1].lower()
        candidates = (
            [base] if base.endswith(_NATIVE_EXTENSIONS) else [base + extension for extension in _NATIVE_EXTENSIONS]
        )
        for candidate in candidates:
            if candidate in self._natives:
                return CommandInfo(self._natives[candidate], "native", None, None, False)
        return None

    def _validate(self) -> None:
        """Every entry names a known source; every level key is a known level."""
        for name, entry in [*self._cmdlets.values(), *self._exchange.values()]:
            for source in _as_list(entry.get("source")):
                if source not in self._sources:
                    raise CatalogError(entry=name, reason=f"unknown source {source!r}")
            if not _as_list(entry.get("source")):
                raise CatalogError(entry=name, reason="no source")
            since = str(entry.get("since", "1.0"))
            if since not in _ALL_LEVELS:
                raise CatalogError(entry=name, reason=f"unknown level {since!r}")
        for level in [*self._aliases, *self._functions, *self._common, *self._should_process]:
            if level not in _ALL_LEVELS:
                raise CatalogError(entry=level, reason="unknown level")


def _parse_parameters(items: Iterable[object]) -> list[Parameter]:
    parsed = []
    for item in items or []:
        name, *aliases = str(item).split("|")
        parsed.append(Parameter(name, tuple(aliases)))
    return parsed


def _level_parameters(table: Mapping[str, object]) -> dict[str, tuple[Parameter, ...]]:
    return {str(level): tuple(_parse_parameters(items)) for level, items in table.items()}  # type: ignore[arg-type]


def _levels_up_to(level: str) -> tuple[str, ...]:
    return _ALL_LEVELS[: _level_index(level) + 1]


def _level_index(level: str) -> int:
    return _ALL_LEVELS.index(level) if level in _ALL_LEVELS else len(_ALL_LEVELS)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise CatalogError(entry=level, reason=f"PowerShell level must be one of {', '.join(LEVELS)}")


def _mapping(data: Mapping[str, object], key: str) -> Mapping[str, object]:
    return _mapping_of(data.get(key, {}), key)


def _mapping_of(value: object, name: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise CatalogError(entry=name, reason="expected a mapping")
    return {str(key): item for key, item in value.items()}


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
