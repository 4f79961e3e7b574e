#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of root_trust; the work is done by the action plugin of the same name."""

# Boilerplate the sanity tests of ansible-core 2.16 require in module files.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: root_trust
short_description: Trust a CA on an Exchange server - roots into LocalMachine\Root, intermediates into CA
version_added: 0.1.0
description:
  - Puts root CA certificates into the computer's I(Trusted Root Certification Authorities) store
    (C(LocalMachine\Root)) and intermediate CA certificates into I(Intermediate Certification Authorities)
    (C(LocalMachine\CA)), or takes them out with O(state=absent).
  - Never puts an intermediate or a leaf into C(Root), and refuses any certificate that is not a CA certificate.
    The controller classifies the certificates (self-signed CA with a verified signature = root).
  - Validates everything before it changes anything, and fails with a message naming the certificate (subject and
    thumbprint) without touching the host when a certificate is not a CA, its key usage lacks keyCertSign, or it
    names itself as its issuer but its own key does not verify its signature; to add (O(state=present)) also when
    it is not yet valid or has expired (both dates in the message), when an intermediate's issuer is neither given
    nor trusted on the host, or when a CA's path length constraint is exceeded.
  - The controller decides from the C(exchange_um_host) fact whether an issuer that is not given is trusted on the
    host; without the fact the host script finds out. The host script repeats every check with the host's own
    clock and chain engine (C(X509Chain), revocation not checked) before it opens a store, so a refused input
    leaves C(Root) and C(CA) exactly as they were.
  - After a change it builds the chain of the lowest certificate given with the host's own stores and fails when
    it does not build.
  - Takes M(exchange_um.certificates.ca_certificate)'s result directly (O(certificates)), or PEM in O(content) or
    a file in O(path).
  - One host call per run; none when the C(exchange_um_host) fact shows every certificate where it belongs.
author:
  - exchange_um.certificates maintainers (@exchange-um)
extends_documentation_fragment:
  - exchange_um.certificates.host
  - exchange_um.certificates.host.action_group
attributes:
  check_mode:
    description: Reports what would change; decides from the fact when present, else asks the host read-only.
    support: full
  diff_mode:
    description: Thumbprints in C(Root) and C(CA) before and after.
    support: full
  platform:
    description: Windows Server 2003 SP2 to 2012 R2 with PowerShell 1.0 to 4.0, through C(winrm) or C(psrp).
    support: full
    platforms: windows
options:
  certificates:
    description:
      - The result of M(exchange_um.certificates.ca_certificate) (its C(chain) is used), its RV(exchange_um.certificates.ca_certificate#module:chain)
        list, a list of PEM strings, or one PEM string with one or more certificates.
      - At most 1 MiB of text in all, no NUL; strings, lists and mappings only.
      - Mutually exclusive with O(content) and O(path).
    type: raw
  content:
    description:
      - One or more certificates as PEM, at most 1 MiB without NUL.
      - Mutually exclusive with O(certificates) and O(path).
    type: str
  path:
    description:
      - File on the controller with the certificates as PEM, DER or PKCS#7. A relative path is taken from the
        playbook's directory.
      - It must be a regular, readable file of at most 1 MiB; a directory, device, FIFO or socket is refused
        without being opened.
      - Mutually exclusive with O(certificates) and O(content).
    type: path
  state:
    description:
      - V(present) adds what is missing; V(absent) removes the given roots from C(Root) and intermediates from C(CA).
    type: str
    choices: [present, absent]
    default: present
notes:
  - At most 64 certificates are taken in one task; a CA chain has a handful.
  - root_trust loads no Exchange cmdlets, so O(exchange_shell), O(exchange_shell_username) and
    O(exchange_shell_password) are refused when the task sets them. From C(module_defaults) they are validated as in
    every host module (V(remote) on a 2007 SP1 host is refused there too) and otherwise left alone.
  - Only give certificates that you have authenticated, for example with
    M(exchange_um.certificates.ca_certificate) and O(exchange_um.certificates.ca_certificate#module:expected_thumbprint); every root given is
    trusted by the whole machine.
seealso:
  - module: exchange_um.certificates.ca_certificate
  - module: exchange_um.certificates.exchange_info
"""

EXAMPLES = r"""
- name: Fetch and pin the issuing CA once for the fleet
  exchange_um.certificates.ca_certificate:
    ca_url: https://ca01.contoso.com/certsrv/
    username: CONTOSO\enroll
    password: "{{ vault_enroll_password }}"
    expected_thumbprint: "{{ contoso_root_thumbprint }}"
  run_once: true
  register: ca

- name: Read each UM server's state once (the fact spares the next task its own inspection)
  exchange_um.certificates.exchange_info:

- name: Trust the root and the issuing CA on every UM server
  exchange_um.certificates.root_trust:
    certificates: "{{ ca }}"

- name: The same with the chain list only
  exchange_um.certificates.root_trust:
    certificates: "{{ ca.chain }}"

- name: Trust a root from a file on the controller
  exchange_um.certificates.root_trust:
    path: files/contoso-root.pem

- name: Remove an old CA
  exchange_um.certificates.root_trust:
    content: "{{ lookup('ansible.builtin.file', 'files/old-ca-chain.pem') }}"
    state: absent
"""

RETURN = r"""
roots:
  description: Thumbprints of the given certificates that are roots (they belong in C(Root)).
  type: list
  elements: str
  returned: always
  sample: [A909502DD82AE41433E6F83886B00D4277A32A7B]
intermediates:
  description: Thumbprints of the given intermediate CAs (they belong in C(CA)), lowest first.
  type: list
  elements: str
  returned: always
  sample: [5D1C1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B]
added:
  description: Certificates added (or, in check mode, that would be added), with their store.
  type: list
  elements: dict
  returned: always
  sample: [{store: Root, thumbprint: A909502DD82AE41433E6F83886B00D4277A32A7B}]
removed:
  description: Certificates removed (or that would be removed), with their store.
  type: list
  elements: dict
  returned: always
  sample: []
chain:
  description:
    - Result of building the chain of the lowest certificate given on the host after the change; null when the
      host was not asked, in check mode and with O(state=absent).
  type: dict
  returned: always
  sample: {built: true, status: []}
ansible_facts:
  description:
    - The C(exchange_um_host) fact with C(Root) and C(CA) as the host reported them after the task, when the task
      started with the fact and had to ask the host (not in check mode).
  type: dict
  returned: when the fact was present and the host was asked
"""
