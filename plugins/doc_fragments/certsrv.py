"""Documentation of the AD CS web enrollment options shared by every module that talks to /certsrv.

Mirrors plugins/plugin_utils/_argspec.py (certsrv_argument_spec); keep both in step.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  ca_url:
    description:
      - URL of the AD CS web enrollment site, for example V(https://ca01.contoso.com/certsrv/).
      - V(http://ca01.contoso.com), V(http://ca01.contoso.com/certsrv) and V(http://ca01.contoso.com/certsrv/) all
        name the same site.
      - The host is a DNS name, an IPv4 address or a bracketed IPv6 address (V(https://[fd00::10]:8443/certsrv)),
        the port 1 to 65535. Credentials, a query, a fragment, white space and control characters are refused, and
        so is a URL longer than 2048 characters; the message names the part that is wrong, never the whole URL.
      - The controller talks to the CA itself; the Exchange hosts never do (no double hop).
    type: str
    aliases: [url]
  auth:
    description:
      - How the controller authenticates to the web enrollment site.
      - V(ntlm) is IIS Windows Authentication; it needs O(username) and O(password) and keeps one HTTP connection
        per task run, because an NTLM logon belongs to its connection. NTLM never sends the password, but over plain
        http anyone on the network path can relay the logon to another server, so the task warns; over https the
        client sends channel bindings, which a CA with Extended Protection checks.
      - V(basic) needs Basic authentication enabled on the certsrv site. It sends the password itself with every
        request, so it is refused, before anything is sent, over plain http and over https with
        O(validate_certs=false), unless O(allow_insecure_basic=true).
      - V(kerberos) uses the controller's Kerberos ticket; it needs the optional packages C(requests-kerberos) or
        C(pyspnego[kerberos]).
      - V(certificate) presents O(client_cert) and O(client_key) in the TLS handshake, so it needs an https
        O(ca_url); V(none) sends no credentials.
    type: str
    choices: [ntlm, basic, kerberos, certificate, none]
    default: ntlm
  username:
    description:
      - Account for V(ntlm), V(basic) and V(kerberos), as C(DOMAIN\user) or C(user@domain), in one line of at
        most 1024 characters.
      - Refused with O(auth=certificate) and O(auth=none), which send no user name.
    type: str
  password:
    description:
      - Password of O(username), at most 1024 characters without NUL. Never shown in results, diffs, logs or error
        messages. Quote it in YAML.
      - Refused with O(auth=certificate) and O(auth=none).
    type: str
  validate_certs:
    description:
      - Validate the server certificate when O(ca_url) is https.
      - With V(false) an https answer is no more authenticated than a plain http one, and O(auth=basic) is refused
        unless O(allow_insecure_basic=true).
    type: bool
    default: true
  allow_insecure_basic:
    description:
      - Send Basic credentials over plain http or over https with O(validate_certs=false), where anyone on the
        network path (or any server posing as the CA) can read the password. The task warns every time.
      - Without it such a task fails before any request is made. Use it in a lab only.
      - Refused where it does not apply (another O(auth), or https that validates).
    type: bool
    default: false
  ca_path:
    description:
      - PEM file (or directory of hashed PEM files) of the CAs that validate the web server's certificate. The
        system trust store is used when omitted.
    type: path
  client_cert:
    description:
      - Client certificate (PEM) for O(auth=certificate).
    type: path
  client_key:
    description:
      - Private key (PEM) of O(client_cert), when the key is not in the O(client_cert) file.
    type: path
  timeout:
    description:
      - Seconds to wait for the server to connect and to answer each request, a whole number from 1 to 3600.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is repeated after a connection error or an HTTP 5xx answer, with exponential
        backoff, from 0 to 10. Authentication failures, other 4xx answers and CA denials are never retried.
    type: int
    default: 3
notes:
  - Options are checked even where they would not be used. An option whose presence can only be a mistake (for
    example O(password) with O(auth=none), O(allow_insecure_basic) with O(auth=ntlm), any of these options with a
    source that is not O(ca_url)) is refused when the task sets it to anything but its default; the same option set
    in C(module_defaults) is validated and then left alone, so one group default serves every task. O(ca_path) and
    O(validate_certs) are accepted with any O(ca_url).
  - Every value is checked for its type, size and characters before anything is sent (paths at most 4096 bytes
    without NUL, a list is never taken for a path), and every failure is a message that names the option, never a
    traceback. Passwords and the connection's password are masked in every message, warning and result.
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/exchange_um.certificates.certsrv) in C(module_defaults) to set the AD CS options once.
    support: full
    membership:
      - exchange_um.certificates.certsrv
"""
