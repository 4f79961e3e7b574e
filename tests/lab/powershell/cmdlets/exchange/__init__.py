"""The Exchange cmdlets of each version over the simulated machine's Exchange state (read cmdlets only; the cmdlets
that change Exchange are not implemented yet and fail as not modelled)."""

from . import certificates, servers, um

__all__ = ["certificates", "servers", "um"]
