"""The public members the .NET Framework reference documents for the simulated types, one module per concern.

Each type's record cites its page on learn.microsoft.com (the member list, and per member "Applies to" with the .NET
Framework versions). A member recorded with CLR4 was added in .NET Framework 4.0 to 4.8.1 (the line's comment says
which); members only .NET Core / .NET 5+ have are left out. Where no page settles whether a member predates 4.0 it
is recorded for CLR2: the lab then refuses it loudly on every runtime instead of answering MethodNotFound or $null
where .NET may have it (docs/lab.md, "Documented members"). A type records its own members; inherited ones are its
base types' (NetType.documentation walks the lineage).
"""

from __future__ import annotations

from . import automation, collections, system, text, x509  # noqa: F401  (each module records its types on import)
