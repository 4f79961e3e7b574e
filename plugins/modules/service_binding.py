#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of service_binding; the work is done by the action plugin of the same name."""

# Boilerplate the sanity tests of ansible-core 2.16 require in module files.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: service_binding
short_description: Make Exchange Unified Messaging use a certificate, per Exchange version, with drain and rollback
version_added: 0.2.0
description:
  - Makes the Unified Messaging service (and on Exchange 2013 the UM Call Router) use the certificate O(thumbprint)
    of C(LocalMachine\My), the way each Exchange version does it.
  - B(Exchange 2007 SP1) has no binding cmdlet and no startup mode. UM, started secured, picks a certificate of
    C(LocalMachine\My) itself (CA-issued before self-signed) and names it in event 1112. When the newest event
    1112 names O(thumbprint) and C(MSExchangeUM) runs, nothing is done; otherwise C(MSExchangeUM) is restarted,
    the module waits for a new event 1112 and checks that it names O(thumbprint). When UM took another
    certificate the task fails and says which one, and why UM preferred it. No Exchange cmdlet is used unless
    O(drain=true).
  - B(Exchange 2010) records the certificate with C(Enable-ExchangeCertificate -Services UM), which Exchange allows
    only while the UM startup mode is TLS or Dual, so C(Set-UMServer -UMStartupMode) comes first when the mode must
    change; then C(MSExchangeUM) is restarted.
  - B(Exchange 2013) binds UM and the UM Call Router (C(Enable-ExchangeCertificate -Services "UM, UMCallRouter")),
    sets the startup modes with C(Set-UMService) and C(Set-UMCallRouterSettings -Server), and restarts
    C(MSExchangeUM) and C(MSExchangeUMCR).
  - A restart ends the calls in progress. With O(drain=true) UM first stops taking new calls and the module waits
    for the active calls to end, up to O(drain_timeout) seconds (C(Get-UMActiveCalls); C(Disable-UMServer
    -Immediate $false) on 2007 SP1 and 2010; C(Set-ServerComponentState -Component UMCallRouter -State Draining
    -Requester Maintenance) on 2013), and lets UM take calls again afterwards, whatever the outcome. When calls
    are still active at the end of O(drain_timeout) the task fails and nothing is bound or restarted.
  - When a service does not come back within O(restart_timeout) seconds, or a binding cmdlet fails, and
    O(rollback=true), the previous certificate and startup modes are bound again and the services restarted, so
    the host ends as it was; the task then fails and states both outcomes.
  - Everything is validated before the first change, on the controller (options; with the C(exchange_um_host)
    fact also that the certificate is in C(My) with its private key and valid now) and again on the host (by its
    own store and clock).
  - One host command for a change (inspect, drain, bind, restart, verify and, when needed, roll back in the same
    call, with at most one Exchange shell load); none when the C(exchange_um_host) fact shows UM bound to
    O(thumbprint) in the wanted mode with its services running; one without the fact.
author:
  - exchange_um.certificates maintainers (@exchange-um)
extends_documentation_fragment:
  - exchange_um.certificates.host
  - exchange_um.certificates.host.action_group
attributes:
  check_mode:
    description:
      - Reports what would change and changes nothing; decides from the fact when present, else asks the host
        read-only.
    support: full
  diff_mode:
    description: The binding (certificate and startup mode of each UM service) and the service states before and after.
    support: full
  platform:
    description: Exchange 2007 SP1, 2010 and 2013 with the UM role, through C(winrm) or C(psrp).
    support: full
    platforms: windows
options:
  thumbprint:
    description:
      - The SHA-1 thumbprint of the certificate in C(LocalMachine\My), in any case, with or without spaces and
        colons, or the registered result of M(exchange_um.certificates.certificate_request) (its C(thumbprint)).
    type: raw
    required: true
  exchange_version:
    description:
      - V(auto) takes the version from the C(exchange_um_host) fact, else from the C(exchange_um_version) host
        variable; without either the task fails before anything is sent (run
        M(exchange_um.certificates.exchange_info) first).
      - A version given here must agree with the fact when there is one.
    type: str
    choices: [auto, 2007sp1, "2010", "2013"]
    default: auto
  startup_mode:
    description:
      - The UM startup mode (and on 2013 the Call Router's) the binding ends with, on Exchange 2010 and 2013.
      - V(keep) leaves a TLS or Dual server as it is and moves a TCP-only server to V(Dual), which keeps the
        unsecured SIP port for other peers while Lync speaks TLS.
      - Exchange 2007 SP1 has no startup mode (its dial plans' VoIPSecurity decides); only V(keep) is accepted there.
    type: str
    choices: [TLS, Dual, keep]
    default: keep
  restart:
    description:
      - Restart the UM services so that they take the binding. A restart ends the calls in progress (see
        O(drain)).
      - With V(false) on 2010 and 2013 the binding is recorded and takes effect at the next restart of the
        services, which is then the operator's; the result says so in RV(restart_pending) and a warning. A later
        run finds the binding recorded and does not restart either, so restart in the maintenance window.
      - On 2007 SP1 the restart is the binding, so V(false) fails there unless UM already uses O(thumbprint).
    type: bool
    default: true
  restart_timeout:
    description:
      - Seconds each service may take to stop and to start again, from 10 to 86400. A service that is not
        running by then (or stops again while starting) counts as failed, see O(rollback).
      - On 2007 SP1 also the time UM may take to log event 1112 after its start.
    type: int
    default: 300
  drain:
    description:
      - Before a restart, stop UM taking new calls and wait for the calls in progress to end (up to
        O(drain_timeout)); UM takes new calls again once the restart is done, or when the task fails.
      - On 2007 SP1 this loads the Exchange snap-in, whose cmdlets need a logon that reaches Active Directory.
    type: bool
    default: false
  drain_timeout:
    description:
      - Seconds to wait for the active calls to end when O(drain=true), from 0 to 86400. Calls still active then
        fail the task before anything is bound or restarted.
    type: int
    default: 600
  rollback:
    description:
      - When a binding cmdlet fails, or a service does not come back within O(restart_timeout), bind the previous
        certificate and startup modes again and restart, so the host ends as it was. The task fails either way and
        states what happened to the binding and to the rollback.
      - With V(false) the host is left as the failure left it.
    type: bool
    default: true
notes:
  - The Exchange cmdlets of 2010 and 2013 read and write Active Directory with the caller's rights. Over a WinRM
    logon without network credentials (NTLM, Basic) use O(exchange_shell=remote) with a credential, or CredSSP
    (docs/connection-setup.md).
  - Which of several valid CA-issued certificates Exchange 2007 SP1 takes is not documented by Microsoft; keep only
    the one to use in C(LocalMachine\My), or check the result's RV(event).
  - Self-signed certificates are not supported by Lync for the UM integration; the module binds any certificate
    Exchange accepts.
seealso:
  - module: exchange_um.certificates.certificate_request
  - module: exchange_um.certificates.exchange_info
  - module: exchange_um.certificates.tls_probe
"""

EXAMPLES = r"""
- name: Read each UM server's state once (the fact spares the next tasks their own inspection)
  exchange_um.certificates.exchange_info:

- name: Ensure the UM certificate
  exchange_um.certificates.certificate_request:
    fqdn: "{{ inventory_hostname }}"
    ca_url: https://ca01.contoso.com/certsrv/
  register: um_certificate

- name: Make UM use it, letting the calls in progress finish first
  exchange_um.certificates.service_binding:
    thumbprint: "{{ um_certificate }}"
    drain: true
    drain_timeout: 900

- name: Record the binding now, restart in the maintenance window
  exchange_um.certificates.service_binding:
    thumbprint: "{{ um_certificate.thumbprint }}"
    startup_mode: TLS
    restart: false
  when: exchange_um_version != '2007sp1'
"""

RETURN = r"""
previous_thumbprint:
  description:
    - The certificate UM used before the task (on 2007 SP1 the one the newest event 1112 named); null when none.
  type: str
  returned: always
  sample: 1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E
thumbprint:
  description:
    - The certificate UM uses after the task (in check mode, the one it would use). After a failure with rollback, the
      previous one again; on 2007 SP1 after UM chose another certificate, that one.
  type: str
  returned: always
  sample: 9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C
services:
  description: The UM services of this Exchange version.
  type: list
  elements: str
  returned: always
  sample: [MSExchangeUM, MSExchangeUMCR]
startup_modes:
  description: The startup mode of each UM service after the task (empty on 2007 SP1, which has none).
  type: dict
  returned: always
  sample: {UM: Dual, UMCallRouter: Dual}
restarted:
  description: The services restarted and running again (in check mode, those that would be restarted).
  type: list
  elements: str
  returned: always
  sample: [MSExchangeUM, MSExchangeUMCR]
restart_pending:
  description:
    - With O(restart=false), the services whose restart makes the recorded binding take effect.
  type: list
  elements: str
  returned: always
  sample: []
drained_calls:
  description: The calls that were active when draining began and ended before the restart.
  type: int
  returned: always
  sample: 3
event:
  description:
    - On 2007 SP1, the newest event 1112 after the task (C(time), C(thumbprint) it names, C(message)); null on
      2010 and 2013.
  type: dict
  returned: always
  sample: {time: "2026-12-01T16:40:12Z", thumbprint: 9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C, message: "..."}
rolled_back:
  description: True when a failure was undone and the host is as it was before the task.
  type: bool
  returned: always
  sample: false
ansible_facts:
  description:
    - The C(exchange_um_host) fact with UM's binding, startup modes, the services' states and the Exchange
      services of the C(My) certificates as the host reported them at the end, when the task started with the
      fact and asked the host (not in check mode).
  type: dict
  returned: when the fact was present and the host was asked
"""
