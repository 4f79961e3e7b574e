#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of exchange_info; the work is done by the action plugin of the same name."""

# Boilerplate the sanity tests of ansible-core 2.16 require in module files.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: exchange_info
short_description: Read what an Exchange UM server has for certificates, in one read-only host call
version_added: 0.1.0
description:
  - Reads, in one PowerShell command on the host, the Exchange version and build, whether the Unified Messaging
    role is installed, the FQDN of the computer, the PowerShell and Windows versions, the certificates in the computer's
    C(My), C(Root) and C(CA) stores, the certificate UM uses and its startup mode, the UM service states and the
    pending certificate requests.
  - Returns this snapshot, and also sets it as the fact C(exchange_um_host), which the other host modules of the
    collection decide from, so that a converged host costs no further host call.
  - A host without Exchange is not an error; RV(exchange.installed) is then V(false) and RV(um) is V(null).
  - Changes nothing on the host.
author:
  - exchange_um.certificates maintainers (@exchange-um)
extends_documentation_fragment:
  - exchange_um.certificates.host
  - exchange_um.certificates.host.action_group
attributes:
  check_mode:
    description: Runs the same read-only call in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
  platform:
    description: Windows Server 2003 SP2 to 2012 R2 with PowerShell 1.0 to 4.0, through C(winrm) or C(psrp).
    support: full
    platforms: windows
  facts:
    description: Sets C(ansible_facts.exchange_um_host).
    support: full
options: {}
notes:
  - The Exchange version decides which Exchange cmdlets are loaded. It comes from the C(exchange_um_host) fact or
    the C(exchange_um_version) host variable; when neither is set, the module makes one extra read-only call without
    Exchange cmdlets first, to find the installed version in the registry.
  - Certificate names, SANs and roles are read from each certificate's DER on the controller, so localized Windows
    texts do not matter.
seealso:
  - module: exchange_um.certificates.root_trust
"""

EXAMPLES = r"""
- name: Read the certificate state of every UM server once, as a fact for the tasks after it
  exchange_um.certificates.exchange_info:

- name: Load the 2013 cmdlets through the supported remote session, with an explicit credential
  exchange_um.certificates.exchange_info:
    exchange_shell: remote
    exchange_shell_username: CONTOSO\exchadmin
    exchange_shell_password: "{{ vault_exchange_shell_password }}"

- name: Show which certificate UM uses
  ansible.builtin.debug:
    msg: "{{ ansible_facts.exchange_um_host.um.certificate_thumbprint | default('none') }}"

- name: Register the snapshot and check that the issuing CA is trusted
  exchange_um.certificates.exchange_info:
  register: exchange

- name: Fail when the root is missing
  ansible.builtin.assert:
    that: exchange_um_root_thumbprint in (exchange.stores.Root | map(attribute='thumbprint'))
"""

RETURN = r"""
computer_name:
  description: NetBIOS name of the computer.
  type: str
  returned: always
  sample: EXCH2010
fqdn:
  description: DNS name of the computer, lower case.
  type: str
  returned: always
  sample: exch2010.contoso.lab
os:
  description: Windows caption and version.
  type: dict
  returned: always
  sample: {caption: Microsoft Windows Server 2008 R2 Enterprise, version: 6.1.7601}
powershell_version:
  description: PowerShell version on the host (V(1.0) when C($PSVersionTable) does not exist).
  type: str
  returned: always
  sample: "2.0"
exchange:
  description: The Exchange installation found in the registry.
  type: dict
  returned: always
  contains:
    installed:
      description: Whether Exchange 2007 SP1, 2010 or 2013 is installed.
      type: bool
    version:
      description: V(2007sp1), V(2010), V(2013), or null.
      type: str
    build:
      description: Product and build numbers from the Setup key.
      type: str
    um_role:
      description: Whether the Unified Messaging role is installed.
      type: bool
    install_path:
      description: Exchange's installation directory.
      type: str
  sample: {installed: true, version: "2010", build: 14.3.123.4, um_role: true, install_path: "C:\\Program Files\\Microsoft\\Exchange Server\\V14\\"}
um:
  description:
    - UM's startup mode (V(TCP), V(TLS), V(Dual); null on 2007 SP1, which has none) and the certificate it uses
      (on 2007 SP1 read from the newest event 1112).
    - On 2013, C(call_router) holds the same for the UM Call Router. Null without the UM role.
  type: dict
  returned: always
  sample: {startup_mode: TLS, certificate_thumbprint: 3C5B7E9A8C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F, call_router: null}
services:
  description: UM services with status and start mode.
  type: list
  elements: dict
  returned: always
  sample: [{name: MSExchangeUM, display_name: Microsoft Exchange Unified Messaging, status: Running, start_mode: Auto}]
stores:
  description:
    - Certificates in C(LocalMachine\My), C(Root) and C(CA), each with thumbprint, subject, issuer, serial_number,
      not_before, not_after (ISO 8601 UTC), has_private_key, friendly_name, is_ca, role (V(root),
      V(intermediate), V(leaf)), dns_names and eku (extended key usage OIDs, empty without the extension); in
      C(My) on an Exchange host also C(services) and C(status) as C(Get-ExchangeCertificate) shows them.
  type: dict
  returned: always
  sample:
    Root:
      - thumbprint: A909502DD82AE41433E6F83886B00D4277A32A7B
        subject: CN=Contoso Root CA
        issuer: CN=Contoso Root CA
        serial_number: 1A2B3C
        not_before: "2025-01-01T00:00:00Z"
        not_after: "2035-01-01T00:00:00Z"
        has_private_key: false
        friendly_name: ""
        is_ca: true
        role: root
        dns_names: []
    CA: []
    My: []
pending_requests:
  description: Certificate requests whose key waits in the C(REQUEST) store.
  type: list
  elements: dict
  returned: always
  sample: [{subject: CN=exch2010.contoso.lab, thumbprint: 0F1E2D3C4B5A69788796A5B4C3D2E1F00112233, not_before: "2026-01-01T00:00:00Z"}]
request_records:
  description:
    - The pending requests M(exchange_um.certificates.certificate_request) recorded on the host
      (C(HKLM\SOFTWARE\exchange_um\certificates\Requests\<fqdn>)), one per FQDN; C(request_id) is null until the CA
      has answered. The request itself is not included.
  type: list
  elements: dict
  returned: always
  sample: [{fqdn: exch2010.contoso.lab, request_id: 42, ca: "https://ca01.contoso.com/certsrv/", template: WebServer,
            names: [exch2010.contoso.lab], key_thumbprint: 0F1E2D3C4B5A69788796A5B4C3D2E1F001122334,
            created: "2026-01-01T00:00:00Z"}]
exchange_error:
  description:
    - Why the Exchange cmdlets could not be used, or C(null) when they were (or the host has no Exchange).
    - The usual cause is the second hop to Active Directory from a WinRM logon without network credentials; the task
      then warns with the options that fix it, and returns the rest of the snapshot with RV(um) C(null).
  type: dict
  returned: always
  sample:
    message: "Value cannot be null.\r\nParameter name: parameters"
    fqid: "System.ArgumentNullException,Microsoft.Exchange.Management.SystemConfigurationTasks.GetExchangeCertificate"
ansible_facts:
  description: The same snapshot as C(exchange_um_host).
  type: dict
  returned: success
  contains:
    exchange_um_host:
      description: All the keys above.
      type: dict
"""
