#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of certificate_request; the work is done by the action plugin of the same name."""

# Boilerplate the sanity tests of ansible-core 2.16 require in module files.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: certificate_request
short_description: A server certificate for an Exchange server's FQDN from AD CS, its key born and kept on the host
version_added: 0.2.0
description:
  - Ensures a certificate in C(LocalMachine\My) with its private key that names the FQDN and every SAN, allows
    server authentication, chains on the host to O(issuer), is not revoked as far as the host can tell, and is
    valid for more than O(renew_before_days). When there is none, the key and a PKCS#10 request are made on the
    host, the controller submits the request to AD CS web enrollment (O(ca_url)) with O(template), and the issued
    certificate is installed on the host with its key and checked there.
  - The private key never leaves the host and the host never talks to the CA, so there is no second hop. Only the
    request and the issued certificate travel.
  - Host commands per run, without changes none when the C(exchange_um_host) fact shows a usable certificate
    (one without the fact); a fresh certificate two (inspect and make the request; install). AD CS requests per
    fresh certificate, one submit and one fetch of the issued certificate.
  - A request the CA holds for a certificate manager (pending) is recorded on the host, and the next run resumes it
    with the same key and request id, waiting up to O(pending_timeout). A denied request fails with the CA's
    disposition message and code, and its key and record are removed from the host.
  - Renewal inside O(renew_before_days) makes a new key and leaves the old certificate in place, so that
    M(exchange_um.certificates.service_binding) can move the services first; O(state=absent) removes the
    certificates that no Exchange service uses afterwards.
  - The flow, the pending record's location, the methods per Exchange version and the security model are in
    docs/certificate-request.md.
author:
  - exchange_um.certificates maintainers (@exchange-um)
extends_documentation_fragment:
  - exchange_um.certificates.certsrv
  - exchange_um.certificates.host
  - exchange_um.certificates.host.action_group
attributes:
  check_mode:
    description: Makes no key and sends no request; reports whether a certificate would be issued or renewed.
    support: full
  diff_mode:
    description: The certificate for the FQDN in C(LocalMachine\My) before and after.
    support: full
  platform:
    description: Windows Server 2003 SP2 to 2012 R2 with PowerShell 1.0 to 4.0, through C(winrm) or C(psrp).
    support: full
    platforms: windows
options:
  fqdn:
    description:
      - The server's DNS name, the subject (C(CN=<fqdn>)) and first SAN of the certificate.
      - Default the C(fqdn) of the C(exchange_um_host) fact; without the fact the host's own FQDN
        (C(Win32_ComputerSystem) DNS host name and domain).
    type: str
  subject_alt_names:
    description:
      - More DNS names for the certificate, after the FQDN. Each is checked as a DNS name; C(*.) is allowed as the
        first label.
    type: list
    elements: str
    default: []
  template:
    description:
      - The certificate template's B(name) (not its display name), as the CA publishes it
        (C(certutil -CATemplates)). The template must take the subject from the request and allow server
        authentication.
      - A display name such as C(Web Server) fails with a message saying so when the CA refuses it.
      - It travels with the submission (C(CertificateTemplate:<name>)), not in the host's request, so certreq
        needs no directory lookup from the WinRM logon.
    type: str
    default: WebServer
  method:
    description:
      - How the key, request and installation are done on the host.
      - V(certreq) (C(certreq -new) with an INF, C(certreq -accept -machine)) on every Exchange version, the
        default. It loads no Exchange shell (5 to 15 s each), needs no second hop to Active Directory from the WinRM
        logon (Exchange's certificate cmdlets read AD with the logon's rights), and keeps the per-host command
        budget.
      - V(exchange) uses C(New-ExchangeCertificate -GenerateRequest) and C(Import-ExchangeCertificate) with each
        version's parameters (2007 SP1 C(-Path); 2010 and 2013 the request as the output string and C(-FileData)).
        Its two host commands load the Exchange cmdlets (O(exchange_shell)), which must reach Active Directory,
        through CredSSP or the remote shell with a credential. It needs the host's Exchange version (the
        C(exchange_um_host) fact or C(exchange_um_version)).
    type: str
    choices: [certreq, exchange]
    default: certreq
  key_size:
    description:
      - RSA key length in bits. V(1024) is refused unless O(force=true).
    type: int
    choices: [1024, 2048, 4096]
    default: 2048
  key_exportable:
    description:
      - Whether the private key may be exported from the host later. Default non-exportable.
    type: bool
    default: false
  friendly_name:
    description:
      - Friendly name set on the installed certificate (one line, at most 256 characters). It is data, never code.
    type: str
    default: ""
  issuer:
    description:
      - The CA the certificate must chain to on the host. The CA certificate as PEM, its chain (a list of PEMs),
        M(exchange_um.certificates.ca_certificate)'s registered result, or the CA certificate's thumbprint.
      - A certificate whose chain on the host contains any of the given CA certificates counts.
    type: raw
    required: true
  renew_before_days:
    description:
      - A certificate that expires within this many days is renewed (with a new key).
    type: int
    default: 30
  force:
    description:
      - Request a new certificate even when a usable one is installed (and allow O(key_size=1024)).
    type: bool
    default: false
  pending_timeout:
    description:
      - Seconds to wait for a pending request to be approved before the task fails with its request id. 0 does not
        wait; the next run resumes the request either way.
    type: int
    default: 0
  pending_poll_interval:
    description:
      - Seconds between two checks of a pending request while O(pending_timeout) lasts.
    type: int
    default: 30
  max_concurrent_submissions:
    description:
      - At most this many exchanges with the CA at O(ca_url) at the same time, across every host of the
        ansible-playbook run (its forks), so that a large fleet does not flood AD CS; V(0) for no limit.
      - Only the HTTP exchange waits for its turn (a submission, a check of a pending request), not the host's key
        or install steps, as the C(throttle) keyword on the task would make them do.
      - The turns are lock files in the run's local temporary directory (C(ANSIBLE_LOCAL_TEMP)), released when the
        holder ends, however it ends.
    type: int
    default: 5
  state:
    description:
      - V(present) ensures a usable certificate.
      - V(absent) removes, from C(LocalMachine\My), the certificates this module manages for the FQDN that no
        Exchange service uses, and any pending request of the FQDN with its key. Managed means issued to the FQDN
        (it names it) and chaining to O(issuer). Which services use a certificate comes from the C(exchange_um_host)
        fact (Exchange's services of each certificate, UM's and the Call Router's thumbprints), so V(absent) needs
        the fact; the AD CS options are not used.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The pending record is the collection's own registry key
    C(HKLM\SOFTWARE\exchange_um\certificates\Requests\<fqdn>) (request id, CA, template, names, the pending key's
    REQUEST store thumbprint, the request); M(exchange_um.certificates.exchange_info) reports it as
    C(request_records).
  - With O(method=certreq) (and O(state=absent)) no Exchange cmdlets are loaded, so O(exchange_shell),
    O(exchange_shell_username) and O(exchange_shell_password) are refused when the task sets them.
seealso:
  - module: exchange_um.certificates.ca_certificate
  - module: exchange_um.certificates.root_trust
  - module: exchange_um.certificates.exchange_info
"""

EXAMPLES = r"""
- name: Fetch and pin the issuing CA once for the fleet
  exchange_um.certificates.ca_certificate:
    ca_url: https://ca01.contoso.com/certsrv/
    username: CONTOSO\enroll
    password: "{{ vault_enroll_password }}"
    expected_thumbprint: "{{ contoso_root_thumbprint }}"
    chain: true
  run_once: true
  register: ca

- name: Read each UM server's state once (the fact spares the next tasks their inspection)
  exchange_um.certificates.exchange_info:

- name: Trust the CA on the server
  exchange_um.certificates.root_trust:
    certificates: "{{ ca }}"

- name: A Web Server certificate for the server's FQDN
  exchange_um.certificates.certificate_request:
    ca_url: https://ca01.contoso.com/certsrv/
    username: CONTOSO\enroll
    password: "{{ vault_enroll_password }}"
    issuer: "{{ ca }}"
  register: um_certificate

- name: With more names, another template, and waiting up to 10 minutes for a certificate manager
  exchange_um.certificates.certificate_request:
    ca_url: https://ca01.contoso.com/certsrv/
    username: CONTOSO\enroll
    password: "{{ vault_enroll_password }}"
    issuer: "{{ ca.thumbprint }}"
    template: ContosoUMServer
    subject_alt_names: [um.contoso.com]
    friendly_name: Exchange UM (Lync)
    pending_timeout: 600
    pending_poll_interval: 30

- name: Remove the certificates no Exchange service uses any more (after service_binding moved them)
  exchange_um.certificates.certificate_request:
    issuer: "{{ ca }}"
    state: absent
"""

RETURN = r"""
changed:
  description: Whether the host changed (a certificate installed or removed, a key made or removed).
  type: bool
  returned: always
  sample: true
thumbprint:
  description: SHA-1 thumbprint (upper-case hex) of the usable certificate for the FQDN; null when there is none yet.
  type: str
  returned: always
  sample: 5D1C1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B
action:
  description:
    - What the task did (or would do in check mode). V(none), V(issued) (a first certificate), V(renewed) (a new
      certificate beside an old one of the same CA), V(pending) (the CA holds the request), V(removed)
      (O(state=absent)).
  type: str
  returned: always
  sample: issued
request_id:
  description: The CA's request id of the request made or resumed; null when no request was sent.
  type: int
  returned: always
  sample: 42
certificate:
  description: The usable certificate for the FQDN; null when there is none.
  type: dict
  returned: always
  contains:
    subject:
      description: Subject as Windows shows it.
      type: str
      sample: CN=exch01.contoso.com
    issuer:
      description: Issuer as Windows shows it.
      type: str
      sample: CN=Contoso Issuing CA, DC=contoso, DC=com
    not_before:
      description: Start of validity, ISO 8601 UTC.
      type: str
      sample: "2026-01-01T00:00:00Z"
    not_after:
      description: End of validity, ISO 8601 UTC.
      type: str
      sample: "2028-01-01T00:00:00Z"
    dns_names:
      description: The DNS names of its subjectAltName.
      type: list
      elements: str
      sample: [exch01.contoso.com]
    days_left:
      description: Whole days until it expires.
      type: int
      sample: 729
previous_thumbprint:
  description: On a renewal, the thumbprint of the certificate the new one replaces (it stays in C(My)).
  type: str
  returned: always
  sample: null
removed:
  description: Thumbprints removed from C(LocalMachine\My) with O(state=absent) (or that would be, in check mode).
  type: list
  elements: str
  returned: always
  sample: []
ansible_facts:
  description:
    - The C(exchange_um_host) fact with C(My) and C(request_records) as the host reported them after a change,
      when the task started with the fact.
  type: dict
  returned: when the fact was present and the host changed
"""
