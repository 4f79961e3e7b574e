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
      - V(remote) opens an Exchange remote PowerShell session to C(http://<fqdn>/PowerShell/) with Kerberos
        authentication and imports it (2010 and 2013 only; asking for it on a 2007 SP1 host is an option error in
        every host module, before any host call). The session is removed when the operation ends, also when it fails.
      - The remote session always uses Kerberos, which never sends the password over the network (the host uses it
        to get a ticket) and encrypts the WinRM session with the ticket's key, so plain http to the Exchange server
        carries no credential in the clear. No option selects Basic, Negotiate (which may fall back to NTLM) or
        CredSSP, and the session is never redirected to another URI. Kerberos needs the server's DNS name, so a
        C(<fqdn>) that is an IP address or not a DNS name is refused before anything is sent.
      - C(<fqdn>) is the FQDN in the C(exchange_um_host) fact, else the inventory name of the host, so name the hosts
        by FQDN or run M(exchange_um.certificates.exchange_info) with V(snapin) once first.
      - From inside a WinRM logon the Exchange endpoint is a second hop. Give O(exchange_shell_username) and
        O(exchange_shell_password), or use Kerberos delegation or CredSSP on the inventory connection.
    type: str
    choices: [snapin, remote]
    default: snapin
  exchange_shell_username:
    description:
      - The account that opens the remote Exchange session (O(exchange_shell=remote) only), as C(DOMAIN\user) or
        C(user@dns.domain). It needs the right to use Exchange remote PowerShell.
      - One line of at most 1024 characters. Requires O(exchange_shell_password). Giving it with
        O(exchange_shell=snapin) is an option error.
      - A task option only (no host variable is read); set it for a whole play with
        C(module_defaults) and C(group/exchange_um.certificates.host), with the password from a vault variable.
    type: str
  exchange_shell_password:
    description:
      - Password of O(exchange_shell_username), at most 1024 characters without NUL. It travels only inside the
        script sent on the host's standard input (never on a command line) and never appears in results, errors or
        logs.
      - Requires O(exchange_shell_username).
    type: str
notes:
  - The host is reached through the inventory's own connection (C(ansible_connection=winrm), or C(psrp)) with raw
    PowerShell; no Ansible PowerShell module wrapper runs on the host, so PowerShell 1.0 to 4.0 hosts work. Any
    other connection (C(ssh), C(local), a C(delegate_to) the controller) is refused before anything else is
    checked.
  - Every host module validates these options the same way, also where it does not use them, so that one
    C(module_defaults) group serves them all; a module that never loads Exchange cmdlets refuses the
    O(exchange_shell) options when the task itself sets them.
  - The C(exchange_um_host) fact and the C(exchange_um_version) host variable are checked before they are used;
    a malformed fact or an unknown version fails with a message that names it (set O(use_facts=false) to ignore a
    bad fact).
  - Each host call is one C(powershell.exe) command whose script travels on stdin; the command line carries only a
    fixed bootstrap, never arguments or secrets.
  - The Exchange version comes from the C(exchange_um_host) fact, else the C(exchange_um_version) host variable
    (V(2007sp1), V(2010), V(2013)); without either, M(exchange_um.certificates.exchange_info) asks the host first.
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/exchange_um.certificates.host) in C(module_defaults) to set the host options once.
    support: full
    membership:
      - exchange_um.certificates.host
"""
