#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of fleet_report; the work is done by the action plugin of the same name."""

# Boilerplate the sanity tests of ansible-core 2.16 require in module files.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: fleet_report
short_description: Audit the Exchange UM fleet and write a Markdown and HTML report with an expiry timeline
version_added: 0.2.0
description:
  - Judges every server of the play from what the play already read, without contacting any host, and writes the
    verdicts under O(dest) on the controller as C(report.md), C(report.html) (one self-contained page with an SVG
    expiry timeline and a per-host table) and C(report.json).
  - Per server it checks the trust (the pinned root in C(LocalMachine\Root), the intermediates in C(LocalMachine\CA)),
    the certificate UM uses (in C(LocalMachine\My) with its private key, naming the FQDN, issued by the pinned CA,
    days left against O(min_days_left) and O(renew_before_days)), the binding (startup mode not C(TCP), on 2013 the UM
    Call Router on the same certificate, the UM services running) and, when the play probed it, TLS on the wire.
  - The inputs are each server's C(exchange_um_host) fact (from M(exchange_um.certificates.exchange_info)) and the
    host variable named by O(tls_result) (a registered M(exchange_um.certificates.tls_probe) result). A server
    without the fact (unreachable, or its read failed) is listed as V(no data).
  - Every text from a server is escaped in both formats; the page loads nothing from elsewhere. The report holds
    no secret, as it reads nothing but the fact and the probe result.
  - Run it once for the play (O(hosts) defaults to every host of the play), for example with C(run_once).
author:
  - exchange_um.certificates maintainers (@exchange-um)
attributes:
  check_mode:
    description: Audits and reports whether the files would change, without writing them.
    support: full
  diff_mode:
    description: No diff is shown.
    support: none
  platform:
    description: Runs on the controller.
    support: full
    platforms: posix
options:
  dest:
    description:
      - Directory on the controller for the report files; created when missing. A relative path is taken from the
        playbook's directory.
      - Files whose content is unchanged are not rewritten.
    type: path
    required: true
  hosts:
    description: Inventory names of the servers to report on. Default is every host of the play.
    type: list
    elements: str
  ca:
    description:
      - The result of M(exchange_um.certificates.ca_certificate) with C(chain=true) (its root, intermediates and
        subject), or a list of root thumbprints. Without it trust and issuer are not judged.
    type: raw
  tls_result:
    description: Name of the host variable that holds each server's registered M(exchange_um.certificates.tls_probe) result.
    type: str
    default: exchange_um_tls
  min_days_left:
    description: A certificate with fewer days left fails the audit.
    type: int
    default: 14
  renew_before_days:
    description: A certificate with fewer days left (but at least O(min_days_left)) is V(renewal due).
    type: int
    default: 30
  title:
    description: Title of the report.
    type: str
    default: Exchange UM certificates
seealso:
  - module: exchange_um.certificates.exchange_info
  - module: exchange_um.certificates.tls_probe
"""

EXAMPLES = r"""
- name: Write the fleet report once for the play
  exchange_um.certificates.fleet_report:
    dest: /srv/reports/exchange-um
    ca: "{{ exchange_um_ca }}"
  run_once: true
  register: report

- name: Show one line per server
  ansible.builtin.debug:
    msg: "{{ report.summary }}"
  run_once: true
"""

RETURN = r"""
ok:
  description: Whether every server passed (no finding and data for each).
  type: bool
  returned: always
  sample: true
counts:
  description: Servers per status.
  type: dict
  returned: success
  sample: {ok: 11, renewal due: 1, failed: 0, no data: 0}
hosts:
  description: The verdict per server, worst first.
  type: list
  elements: dict
  returned: always
  contains:
    name:
      description: Inventory name.
      type: str
    status:
      description: V(ok), V(renewal due), V(failed) or V(no data).
      type: str
    version:
      description: Exchange version from the fact.
      type: str
    fqdn:
      description: The server's FQDN.
      type: str
    thumbprint:
      description: The certificate UM uses.
      type: str
    subject:
      description: Its subject.
      type: str
    issuer:
      description: Its issuer.
      type: str
    not_before:
      description: Start of its validity (ISO 8601).
      type: str
    not_after:
      description: End of its validity (ISO 8601).
      type: str
    days_left:
      description: Whole days until RV(hosts[].not_after).
      type: int
    startup_mode:
      description: UM startup mode (null on 2007 SP1).
      type: str
    trusted:
      description: Whether the pinned chain is trusted; null without O(ca).
      type: bool
    bound:
      description: Whether UM uses a certificate and its services run.
      type: bool
    tls:
      description: Whether the TLS probe passed; null when not probed.
      type: bool
    findings:
      description: The problems found.
      type: list
      elements: str
    notes:
      description: What is worth knowing but no failure (renewal due, not probed).
      type: list
      elements: str
  sample:
    - {name: um001, status: ok, version: 2010, fqdn: um001.contoso.lab, thumbprint: 3C5B7E9A8C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F,
       subject: CN=um001.contoso.lab, issuer: "CN=Contoso Issuing CA, DC=contoso, DC=lab",
       not_before: "2026-01-01T00:00:00Z", not_after: "2028-01-01T00:00:00Z", days_left: 700,
       startup_mode: Dual, trusted: true, bound: true, tls: true, findings: [], notes: []}
summary:
  description: One line per server.
  type: list
  elements: str
  returned: always
  sample: ["um001: ok (Exchange 2010; certificate 3C5B7E9A8C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F, 700 days left)"]
files:
  description: Paths of the report files.
  type: dict
  returned: success
  sample:
    markdown: /srv/reports/exchange-um/report.md
    html: /srv/reports/exchange-um/report.html
    json: /srv/reports/exchange-um/report.json
changed:
  description: Whether a report file was (or in check mode would be) written.
  type: bool
  returned: always
  sample: true
"""
