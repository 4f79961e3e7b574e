"""Calling the simulated .NET members as declared: a member is found the way the engine finds it (by name, on the
runtime of the host), and one overload picked by its exact .NET parameter types, so a test fails when a member or
an overload does not exist on that runtime."""

from __future__ import annotations

from typing import Any

# Importing the package registers the simulated types.
import tests.lab.powershell.dotnet  # noqa: F401  # pylint: disable=unused-import
from tests.lab.hosts.latency import Work
from tests.lab.hosts.specs import PRESETS
from tests.lab.hosts.state import HostState
from tests.lab.httpauth import Logon
from tests.lab.powershell.context import Host
from tests.lab.powershell.values import CLR4, Overload, find_type

__all__ = [
    "call",
    "construct",
    "get",
    "has_member",
    "host_for",
    "overload",
    "set_property",
    "static_call",
    "static_get",
]


def host_for(preset: str = "2010", machine: HostState | None = None) -> Host:
    spec = PRESETS[preset]
    return Host(spec, machine or HostState.fresh(spec), Work(), logon=Logon("Administrator", "CONTOSO", "ntlm"))


def _type(name: str, runtime: str) -> Any:
    net = find_type(name, runtime=runtime)
    assert net is not None, f"the type {name} is not registered on CLR {runtime}"
    return net


def overload(type_name: str, name: str, *parameters: str, static: bool = False, runtime: str = CLR4) -> Overload:
    net = _type(type_name, runtime)
    member = net.find_member(name, runtime=runtime, static=static)
    assert member is not None, f"{type_name} has no member {name} on CLR {runtime}"
    for each in member.overloads_for(runtime):
        if each.parameters == parameters:
            return each
    raise AssertionError(f"{type_name}.{name}({', '.join(parameters)}) does not exist on CLR {runtime}")


def has_member(type_name: str, name: str, *parameters: str | None, static: bool = False, runtime: str) -> bool:
    """Whether the member (with exactly these parameter types, when given) exists on the runtime."""
    member = _type(type_name, runtime).find_member(name, runtime=runtime, static=static)
    if member is None:
        return False
    if parameters == (None,):
        return True
    return any(each.parameters == parameters for each in member.overloads_for(runtime))


def call(owner: Any, type_name: str, name: str, *arguments: Any, types: tuple[str, ...], runtime: str = CLR4) -> Any:
    """An instance method, the overload with ``types``."""
    return overload(type_name, name, *types, runtime=runtime).implementation(owner, *arguments)


def static_call(host: Host | None, type_name: str, name: str, *arguments: Any, types: tuple[str, ...]) -> Any:
    return overload(type_name, name, *types, static=True).implementation(host, *arguments)


def construct(host: Host | None, type_name: str, *arguments: Any, types: tuple[str, ...], runtime: str = CLR4) -> Any:
    for each in _type(type_name, runtime).constructors:
        if each.parameters == types and float(each.since) <= float(runtime):
            return each.implementation(host, *arguments)
    raise AssertionError(f"new {type_name}({', '.join(types)}) does not exist on CLR {runtime}")


def get(owner: Any, type_name: str, name: str, runtime: str = CLR4) -> Any:
    member = _type(type_name, runtime).find_member(name, runtime=runtime)
    assert member is not None and member.getter is not None, f"{type_name} has no property {name}"
    return member.getter(owner)


def static_get(host: Host | None, type_name: str, name: str, runtime: str = CLR4) -> Any:
    member = _type(type_name, runtime).find_member(name, runtime=runtime, static=True)
    assert member is not None and member.getter is not None, f"{type_name} has no static property {name}"
    return member.getter(host)


def set_property(owner: Any, type_name: str, name: str, value: Any) -> None:
    member = _type(type_name, CLR4).find_member(name, runtime=CLR4)
    assert member is not None and member.setter is not None, f"{type_name}.{name} is not settable"
    member.setter(owner, value)
