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
      - The controller talks to the CA itself; the Exchange hosts never do (no double hop).
    type: str
    aliases: [url]
  auth:
    description:
      - How the controller authenticates to the web enrollment site.
      - V(ntlm) is IIS Windows Authentication; it needs O(username) and O(password) and keeps one HTTP connection
        per task run, because an NTLM logon belongs to its connection.
      - V(basic) needs Basic authentication enabled on the certsrv site; use it only over https.
      - V(kerberos) uses the controller's Kerberos ticket; it needs the optional packages C(requests-kerberos) or
        C(pyspnego[kerberos]).
      - V(certificate) presents O(client_cert) and O(client_key); V(none) sends no credentials.
    type: str
    choices: [ntlm, basic, kerberos, certificate, none]
    default: ntlm
  username:
    description:
      - Account for V(ntlm) and V(basic), as C(DOMAIN\user) or C(user@domain).
    type: str
  password:
    description:
      - Password of O(username). Never shown in results, diffs, logs or error messages.
    type: str
  validate_certs:
    description:
      - Validate the server certificate when O(ca_url) is https.
      - With V(false) an https answer is no more authenticated than a plain http one.
    type: bool
    default: true
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
      - Seconds to wait for the server to connect and to answer each request.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is repeated after a connection error or an HTTP 5xx answer, with exponential
        backoff. Authentication failures, other 4xx answers and CA denials are never retried.
    type: int
    default: 3
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/exchange_um.certificates.certsrv) in C(module_defaults) to set the AD CS options once.
    support: full
    membership:
      - exchange_um.certificates.certsrv
"""
