#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of tls_probe; the work is done by the action plugin of the same name, on the controller."""

# Boilerplate the sanity tests of ansible-core 2.16 require in module files.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tls_probe
short_description: Check from the controller which certificate the UM SIP ports of an Exchange server present over TLS
version_added: 0.2.0
description:
  - Makes one TLS handshake to each UM SIP TLS port of the host, from the Ansible controller, and reads the
    certificate chain the server presents. Runs no command on the host.
  - Reads the chain also when the server requires a client certificate and the probe has none (mutual TLS, as UM
    and Lync use it). Up to TLS 1.2 the server's Certificate message travels before its CertificateRequest and in
    the clear, so the probe takes the chain from the records on the wire, whether or not the handshake completes.
  - Speaks TLS 1.0, 1.1 and 1.2 with the cipher suites of those versions, as Schannel offers them on Windows Server
    2003 to 2012 R2 (TLS 1.0 only on Server 2003 and 2008, and by default on 2008 R2). For that it relaxes the
    controller's TLS defaults (minimum TLS 1.2 and OpenSSL's security level 2 on current systems) for this probe's
    own connections only; nothing global changes, and the probe sends no application data.
  - Checks the leaf certificate against O(expected_thumbprint), the chain against O(ca_certificate) (a signature
    path through the presented CA certificates to it), the name against O(fqdn) (the subjectAltName DNS names, with
    wildcards in the leftmost label only), the serverAuth extended key usage, that it is not self-signed, and its
    validity with at least O(min_days_left) days left. Each problem is a finding in RV(ports[].findings).
  - Fails when a port has a finding, unless O(fail_on_error=false).
author:
  - exchange_um.certificates maintainers (@exchange-um)
attributes:
  check_mode:
    description: Read-only; runs the same handshakes in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
  platform:
    description: Runs on the controller; no command runs on the inventory host.
    support: full
    platforms: posix
options:
  host:
    description:
      - Address to connect to. Default the host's C(ansible_host), else its inventory name.
    type: str
  ports:
    description:
      - TCP ports to probe, at most 16.
      - Default the UM SIP TLS ports of the host's Exchange version, taken from O(exchange_version), else from the
        C(exchange_um_host) fact, else from the C(exchange_um_version) host variable. Exchange 2007 SP1 and 2010
        V(5061) (UM service); 2013 V(5061) (UM Call Router) and V(5063) (UM service).
    type: list
    elements: int
  exchange_version:
    description:
      - The Exchange version whose default ports to probe; V(auto) takes it from the C(exchange_um_host) fact or
        the C(exchange_um_version) host variable.
      - Refused together with O(ports).
    type: str
    choices: [auto, 2007sp1, '2010', '2013']
    default: auto
  expected_thumbprint:
    description:
      - The SHA-1 thumbprint (as Windows shows it) or SHA-256 fingerprint the leaf certificate must have, in any
        case, with or without spaces and colons. Accepts the thumbprint that certificate_request returns.
      - Not checked when omitted.
    type: str
  fqdn:
    description:
      - The name the certificate must carry, usually the server's FQDN as Lync knows it. Matched
        case-insensitively against the subjectAltName DNS names (the subject's CN only when there are none); a
        wildcard stands for exactly one whole leftmost label.
      - Not checked when omitted.
    type: str
  ca_certificate:
    description:
      - PEM of the CA certificate (or certificates) the chain must lead to, for example the C(certificate) result
        of M(exchange_um.certificates.ca_certificate). The probe follows signatures from the leaf through the CA
        certificates the server presents to one of these; each CA certificate on the way must be valid now.
      - Not checked when omitted.
    type: str
  min_days_left:
    description:
      - Fewest whole days the leaf certificate must still be valid. V(0) only requires it to be valid now.
    type: int
    default: 0
  client_cert_path:
    description:
      - PEM certificate on the controller that the probe presents when the server asks for a client certificate
        (mutual TLS); the key may be in the same file.
      - Without it the probe still reads the presented chain from a server that requires one.
    type: path
  client_key_path:
    description:
      - Unencrypted PEM private key of O(client_cert_path), when it is not in that file.
    type: path
  timeout:
    description: Seconds for each port's connection and handshake together.
    type: int
    default: 10
  fail_on_error:
    description:
      - Fail the task when a port has a finding. With V(false) the task succeeds and RV(ok) tells.
    type: bool
    default: true
notes:
  - Revocation is not checked.
  - The controller needs TCP access to the UM ports of the server, as Lync has.
  - A controller whose OpenSSL was built without TLS 1.0 or 1.1 cannot reach a server that offers nothing newer;
    the finding then names the handshake failure.
seealso:
  - module: exchange_um.certificates.ca_certificate
  - module: exchange_um.certificates.exchange_info
"""

EXAMPLES = r"""
- name: Check that UM presents the new certificate, issued by the CA, for the server's name
  exchange_um.certificates.tls_probe:
    expected_thumbprint: "{{ um_certificate.thumbprint }}"
    ca_certificate: "{{ issuing_ca.certificate }}"
    fqdn: exch01.contoso.com
    min_days_left: 30

- name: Probe given ports of another address and only report
  exchange_um.certificates.tls_probe:
    host: 192.0.2.15
    ports: [5061, 5063]
    fail_on_error: false
  register: um_tls

- name: Show what each port presents
  ansible.builtin.debug:
    msg: "{{ item.port }}: {{ item.protocol }} {{ item.chain[0].subject | default('no certificate') }}"
  loop: "{{ um_tls.ports }}"

- name: Complete the handshake with a client certificate, as Lync's front end does (mutual TLS)
  exchange_um.certificates.tls_probe:
    exchange_version: "2013"
    client_cert_path: /etc/pki/lync/fe01.pem
    client_key_path: /etc/pki/lync/fe01.key
"""

RETURN = r"""
ok:
  description: Whether every port presented a chain that passed every check asked for.
  returned: always
  type: bool
  sample: true
host:
  description: The address the probe connected to.
  returned: always
  type: str
  sample: exch01.contoso.com
ports:
  description: One entry per port, in the order probed.
  returned: always
  type: list
  elements: dict
  contains:
    port:
      description: The TCP port.
      type: int
      returned: always
      sample: 5061
    reachable:
      description: Whether a TCP connection was made (false when refused, unreachable or timed out).
      type: bool
      returned: always
      sample: true
    protocol:
      description: The protocol version the server chose (V(TLSv1), V(TLSv1.1), V(TLSv1.2)); null without an answer.
      type: str
      returned: always
      sample: TLSv1
    cipher:
      description: The cipher suite the server chose, by its IANA name; null without an answer.
      type: str
      returned: always
      sample: TLS_RSA_WITH_AES_128_CBC_SHA
    client_certificate:
      description:
        - Whether the server asked for a client certificate and how it went. V(not_requested); V(requested) (none
          was sent and the server went on, or the handshake broke for another reason, which is then a finding);
          V(required) (none was sent and the server ended the handshake with an alert; the chain is still read);
          V(accepted) or V(refused) (the probe sent O(client_cert_path); V(refused) is a finding). Null without an
          answer.
      type: str
      returned: always
      sample: required
    chain:
      description: The certificates the server presented, leaf first, in the order sent.
      type: list
      elements: dict
      returned: always
      contains:
        subject:
          description: Subject as Windows shows it.
          type: str
          returned: always
          sample: CN=exch01.contoso.com
        issuer:
          description: Issuer as Windows shows it.
          type: str
          returned: always
          sample: CN=Contoso Issuing CA, DC=contoso, DC=com
        thumbprint:
          description: SHA-1 thumbprint, upper-case hex.
          type: str
          returned: always
          sample: 0F1A2B3C4D5E6F708192A3B4C5D6E7F801234567
        not_after:
          description: End of validity (ISO 8601, UTC).
          type: str
          returned: always
          sample: "2028-03-01T12:00:00Z"
    findings:
      description: What is wrong at this port, one sentence each; empty when it passed.
      type: list
      elements: str
      returned: always
      sample:
        - "the certificate 'CN=exch01' (0F1A2B3C4D5E6F708192A3B4C5D6E7F801234567) names exch01, not exch01.contoso.com"
    ok:
      description: Whether this port presented a chain and has no finding.
      type: bool
      returned: always
      sample: false
changed:
  description: Always false; the probe changes nothing.
  returned: always
  type: bool
  sample: false
"""
