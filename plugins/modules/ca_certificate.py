#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of ca_certificate; the work is done by the action plugin of the same name, on the controller."""

# Boilerplate the sanity tests of ansible-core 2.16 require in module files.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ca_certificate
short_description: Get an AD CS issuing CA's certificate and chain, authenticated, on the controller
version_added: 0.1.0
description:
  - Downloads the certificate of the issuing CA (any renewal) and its chain from the CA's web enrollment site
    (C(/certsrv)), or reads them from a file or a string, on the Ansible controller.
  - Builds the chain up to a self-signed root by issuer and subject with signature checks. The CA may be an
    enterprise root CA (the chain is the CA certificate alone) or an issuing CA under an offline root.
  - Refuses a certificate that is not a CA certificate (no basicConstraints CA:TRUE) and one that is not valid now.
  - The certificates are used only when they are authenticated. Either one of O(expected_thumbprint) matches a
    certificate of the verified chain, or they came over https whose server certificate validated, or they came
    from O(path)/O(content) on the controller. A plain http download without a pin fails, unless
    O(allow_unpinned_http=true), which only warns. A pin that matches nothing fails and names both the expected and
    the actual thumbprints. In both cases O(dest) is not written.
  - Writes the CA certificate (or, with O(chain=true), the chain) as PEM to O(dest) on the controller when asked;
    the file is rewritten only when its content or mode differs.
  - Never connects to the inventory host, so it can run once for a whole fleet with C(run_once).
author:
  - exchange_um.certificates maintainers (@exchange-um)
extends_documentation_fragment:
  - exchange_um.certificates.certsrv
  - exchange_um.certificates.certsrv.action_group
attributes:
  check_mode:
    description: Reads the CA in check mode too; only O(dest) is left unwritten, and RV(changed) says whether it would change.
    support: full
  diff_mode:
    description: Shows the old and the new content of O(dest).
    support: full
  platform:
    description: Runs on the controller; the inventory host is not contacted.
    support: full
    platforms: posix
options:
  path:
    description:
      - File on the controller holding the CA certificate, or the CA certificate with its chain, as PEM, DER or
        PKCS#7 (C(.p7b), DER or Base64). A relative path is taken from the playbook's directory.
      - With a chain, the CA certificate is the one that issued none of the others.
      - It must be a regular, readable file of at most 1 MiB holding at most 64 certificates; a directory, device,
        FIFO or socket is refused without being opened.
      - Mutually exclusive with O(ca_url) and O(content).
    type: path
  content:
    description:
      - The same as O(path), given as a PEM string of at most 1 MiB (no NUL).
      - Mutually exclusive with O(ca_url) and O(path).
    type: str
  renewal:
    description:
      - Which CA certificate to fetch from O(ca_url) when the CA was renewed. V(current) reads the current renewal
        index from C(certcarc.asp); a number from V(0) (the original CA certificate) to V(9999) selects that renewal.
      - Refused with O(path) and O(content), which have no renewals.
    type: raw
    default: current
  chain:
    description:
      - Write the whole chain to O(dest) (the CA certificate first, the root last) instead of the CA certificate
        only. The chain is always returned in RV(chain).
    type: bool
    default: false
  expected_thumbprint:
    description:
      - Thumbprints of which one must match a certificate of the chain (the CA certificate, an intermediate or
        the root). SHA-1 (as Windows shows it) or SHA-256, in any case, with or without spaces and colons.
      - A pin on the CA certificate also authenticates the root that verifiably signed it; a pin on the root also
        authenticates the CA certificates it signed.
      - Check the value on the CA itself or from another trusted source, never from the same download.
      - At most 32 thumbprints.
    type: list
    elements: str
    default: []
  allow_unpinned_http:
    description:
      - Accept certificates that came over plain http (or https with O(validate_certs=false)) without
        O(expected_thumbprint). The task then warns and shows the thumbprint to pin.
      - Anyone on the network path could have swapped the certificate; use only in a lab.
      - Refused where it does not apply, that is with O(expected_thumbprint), over https that validates, and with
        O(path) or O(content).
      - It says nothing about credentials; for O(auth=basic) over http see O(allow_insecure_basic).
    type: bool
    default: false
  dest:
    description:
      - Path on the controller where the PEM is written. A relative path is taken from the playbook's directory.
      - The directory must exist. It is checked before anything is fetched.
      - Only a regular file is ever replaced (atomically, through a temporary file in the same directory). A
        symbolic link to a regular file has its target rewritten and stays a link; a directory, device, FIFO or
        socket, a link to one of those and a dangling link are refused and left as they are.
    type: path
  mode:
    description:
      - Permissions of O(dest), as an octal string such as V('0644') or a symbolic mode such as V(u=rw,g=r,o=r) or
        V(go-w) (applied to the current mode of O(dest), or to V(0000) for a new file).
      - Quote an octal mode in YAML; an unquoted V(0644) is read as the right number, but V(644) is the decimal
        number 644 and refused.
      - A certificate file takes no setuid, setgid or sticky bit, so V('7777'), V('4755') and V(u+s) are refused. A
        mode that lets the group or others write warns.
      - Refused without O(dest).
    type: raw
    default: '0644'
notes:
  - The controller fetches from the CA; give the controller network access to the CA and its credentials. The
    Exchange servers do not need either (there is no double hop).
  - Use C(module_defaults) with C(group/exchange_um.certificates.certsrv) to give the AD CS options once per play.
seealso:
  - module: exchange_um.certificates.root_trust
"""

EXAMPLES = r"""
- name: Fetch the current renewal of the issuing CA with NTLM over validated https
  exchange_um.certificates.ca_certificate:
    ca_url: https://ca01.contoso.com/certsrv/
    username: CONTOSO\enroll
    password: "{{ vault_enroll_password }}"
    ca_path: /etc/pki/contoso-root.pem
  register: issuing_ca

- name: Fetch over plain http, authenticated by a pinned thumbprint (SHA-1 as the Windows certificate dialog shows it)
  exchange_um.certificates.ca_certificate:
    ca_url: http://ca01.contoso.com/certsrv
    username: CONTOSO\enroll
    password: "{{ vault_enroll_password }}"
    expected_thumbprint: "a9 09 50 2d d8 2a e4 14 33 e6 f8 38 86 b0 0d 42 77 a3 2a 7b"
    dest: files/contoso-issuing-ca.pem

- name: Read the CA certificate from a file on the controller
  exchange_um.certificates.ca_certificate:
    path: files/contoso-chain.p7b
  register: issuing_ca

- name: Get the chain once for the whole fleet and trust it on every Exchange server
  module_defaults:
    group/exchange_um.certificates.certsrv:
      ca_url: https://ca01.contoso.com/certsrv/
      username: CONTOSO\enroll
      password: "{{ vault_enroll_password }}"
  block:
    - name: Fetch the CA chain (one download for all hosts)
      exchange_um.certificates.ca_certificate:
        chain: true
        expected_thumbprint:
          - 3F:1C:6E:8A:00:4B:5D:2E:91:C7:0A:55:E4:87:19:BE:40:77:D2:16
      run_once: true
      register: issuing_ca

    - name: Put the root into Trusted Root and the issuing CA into Intermediate CAs
      exchange_um.certificates.root_trust:
        certificates: "{{ issuing_ca.chain }}"

- name: An older renewal of the CA, with Basic authentication, written with its chain
  exchange_um.certificates.ca_certificate:
    url: https://ca01.contoso.com/certsrv/
    auth: basic
    username: enroll@contoso.com
    password: "{{ vault_enroll_password }}"
    renewal: 0
    chain: true
    dest: /etc/pki/exchange-um/contoso-ca-renewal0.pem
"""

RETURN = r"""
certificate:
  description: The CA certificate as PEM.
  returned: always
  type: str
  sample: "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIQ...\n-----END CERTIFICATE-----\n"
thumbprint:
  description: SHA-1 thumbprint of the CA certificate, upper-case hex as Windows shows it.
  returned: always
  type: str
  sample: A909502DD82AE41433E6F83886B00D4277A32A7B
fingerprint_sha256:
  description: SHA-256 fingerprint of the CA certificate, upper-case hex.
  returned: always
  type: str
  sample: 5C3F0E3A9B1D7F2C4E6A8B0D2F4A6C8E0B2D4F6A8C0E2B4D6F8A0C2E4B6D8F0A
subject:
  description: Subject of the CA certificate as Windows shows it (C(X509Certificate2.Subject), the certificates MMC).
  returned: always
  type: str
  sample: CN=Contoso Issuing CA, DC=contoso, DC=com
issuer:
  description: Issuer of the CA certificate as Windows shows it (C(X509Certificate2.Subject), the certificates MMC).
  returned: always
  type: str
  sample: CN=Contoso Root CA, O=Contoso
not_before:
  description: Start of validity of the CA certificate (ISO 8601, UTC).
  returned: always
  type: str
  sample: "2025-01-01T00:00:00Z"
not_after:
  description: End of validity of the CA certificate (ISO 8601, UTC).
  returned: always
  type: str
  sample: "2030-01-01T00:00:00Z"
renewal:
  description: The CA renewal index that was fetched; null when the certificate came from O(path) or O(content).
  returned: always
  type: int
  sample: 1
renewal_found:
  description:
    - Whether C(certcarc.asp) stated the current renewal. V(false) means it did not and renewal 0 was used (with a
      warning). Null when O(renewal) was a number or the source was O(path) or O(content).
  returned: always
  type: bool
  sample: true
chain:
  description: The chain from the CA certificate (first) to the self-signed root (last), signatures verified.
  returned: always
  type: list
  elements: dict
  contains:
    pem:
      description: The certificate as PEM.
      type: str
      returned: success
    thumbprint:
      description: SHA-1 thumbprint, upper-case hex.
      type: str
      returned: success
    subject:
      description: Subject as Windows shows it (C(X509Certificate2.Subject), the certificates MMC).
      type: str
      returned: success
    issuer:
      description: Issuer as Windows shows it (C(X509Certificate2.Subject), the certificates MMC).
      type: str
      returned: success
    role:
      description: V(root) for the self-signed root, V(intermediate) for a CA certificate under it.
      type: str
      returned: success
      sample: intermediate
    not_after:
      description: End of validity (ISO 8601, UTC).
      type: str
      returned: success
  sample:
    - pem: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
      thumbprint: A909502DD82AE41433E6F83886B00D4277A32A7B
      subject: CN=Contoso Issuing CA, DC=contoso, DC=com
      issuer: CN=Contoso Root CA, O=Contoso
      role: intermediate
      not_after: "2030-01-01T00:00:00Z"
    - pem: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
      thumbprint: 3F1C6E8A004B5D2E91C70A55E48719BE4077D216
      subject: CN=Contoso Root CA, O=Contoso
      issuer: CN=Contoso Root CA, O=Contoso
      role: root
      not_after: "2040-01-01T00:00:00Z"
root:
  description: The self-signed root at the top of RV(chain); the CA certificate itself for an enterprise root CA.
  returned: always
  type: dict
  contains:
    pem:
      description: The root certificate as PEM.
      type: str
      returned: success
    thumbprint:
      description: SHA-1 thumbprint, upper-case hex.
      type: str
      returned: success
    subject:
      description: Subject as Windows shows it (C(X509Certificate2.Subject), the certificates MMC).
      type: str
      returned: success
  sample:
    pem: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
    thumbprint: 3F1C6E8A004B5D2E91C70A55E48719BE4077D216
    subject: CN=Contoso Root CA, O=Contoso
changed:
  description: Whether O(dest) was (or, in check mode, would be) written or its mode changed.
  returned: always
  type: bool
  sample: false
dest:
  description: The absolute path of O(dest); null without O(dest).
  returned: always
  type: str
  sample: /etc/pki/exchange-um/contoso-issuing-ca.pem
"""
