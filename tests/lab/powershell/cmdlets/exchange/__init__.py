"""The Exchange cmdlets of each version over the simulated machine's Exchange state (the read cmdlets and the
certificate tasks; the other cmdlets that change Exchange fail as not modelled where no module implements them)."""

from . import certificate_tasks, certificates, servers, um

__all__ = ["certificate_tasks", "certificates", "servers", "um"]
