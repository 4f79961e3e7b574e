"""Documentation of the options shared by every module that acts on the Exchange host.

Mirrors plugins/plugin_utils/_host_action.py (HOST_ARGUMENT_SPEC); keep both in step.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  use_facts:
    description:
      - Decide from the C(exchange_um_host) fact that M(exchange_um.certificates.exchange_info) (or an earlier host
        module of this collection) left for the host, when it is there.
      - A module that finds the desired state in the fact makes no host call at all; one that must change something
        inspects and changes in a single host call and returns the updated fact.
      - Set V(false) to ignore the fact and always ask the host.
    type: bool
    default: true
  exchange_shell:
    description:
      - How Exchange cmdlets are loaded on the host, for the operations that need them.
      - V(snapin) adds the version's snap-in (2007 SP1 C(Microsoft.Exchange.Management.PowerShell.Admin), 2010
        C(Microsoft.Exchange.Management.PowerShell.E2010), 2013 C(Microsoft.Exchange.Management.PowerShell.SnapIn)).
        It needs no second logon. Microsoft supports the 2010 and 2013 snap-ins only for some tasks.
      - V(remote) opens C(http://<fqdn>/PowerShell/) with Kerberos (2010 and 2013 only). From inside a WinRM logon
        this is a second hop, which works only with Kerberos delegation or CredSSP on the inventory connection.
    type: str
    choices: [snapin, remote]
    default: snapin
notes:
  - The host is reached through the inventory's own connection (C(ansible_connection=winrm), or C(psrp)) with raw
    PowerShell; no Ansible PowerShell module wrapper runs on the host, so PowerShell 1.0 to 4.0 hosts work.
  - Each host call is one C(powershell.exe) command whose script travels on stdin; the command line carries only a
    fixed bootstrap, never arguments or secrets.
  - The Exchange version comes from the C(exchange_um_host) fact, else the C(exchange_um_version) host variable
    (V(2007sp1), V(2010), V(2013)); without either, M(exchange_um.certificates.exchange_info) asks the host first.
"""
