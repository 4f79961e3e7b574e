"""System.Security.SecureString and System.Management.Automation.PSCredential, and ConvertTo-SecureString.

The secret stays inside the objects: SecureString.ToString() is its type name (Object.ToString), and nothing the
script can print shows the text, as on Windows. PSCredential (System.Management.Automation reference): the
constructor ``PSCredential(String userName, SecureString password)``, the properties UserName and Password, and
GetNetworkCredential() (a System.Net.NetworkCredential with UserName, Password and Domain split from ``DOMAIN\\user``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..commands import CmdletCall, cmdlet
from ..dotnet._runtime import net_error
from ..values import NetObject, constructor, method, net_type, prop
from ._common import refuse

__all__ = ["NetworkCredential", "PSCredential", "SecureString"]


@net_type("System.Security.SecureString", interfaces=("System.IDisposable",))
class SecureString(NetObject):
    """A secret text; only the lab's own code reads :meth:`reveal` (a logon check against the accounts)."""

    def __init__(self, text: str = "") -> None:
        self._text = text
        self._read_only = False

    def __repr__(self) -> str:
        return "SecureString(<hidden>)"

    def reveal(self) -> str:
        return self._text

    @staticmethod
    @constructor()
    def _new(_host: Any) -> SecureString:
        return SecureString()

    @prop("Length")
    def _length(self) -> int:
        return len(self._text)

    @method("AppendChar", "System.Char")
    def _append(self, character: str) -> None:
        if self._read_only:
            # mscorlib.txt InvalidOperation_ReadOnly
            raise net_error("System.InvalidOperationException", "Instance is read-only.")
        self._text += character

    @method("MakeReadOnly")
    def _make_read_only(self) -> None:
        self._read_only = True

    @method("IsReadOnly")
    def _is_read_only(self) -> bool:
        return self._read_only


@net_type("System.Net.NetworkCredential")
class NetworkCredential(NetObject):
    def __init__(self, user: str, password: str, domain: str) -> None:
        self.user = user
        self.password = password
        self.domain = domain

    def __repr__(self) -> str:
        return f"NetworkCredential({self.domain}\\{self.user}, <hidden>)"

    @prop("UserName")
    def _user(self) -> str:
        return self.user

    @prop("Password")
    def _password(self) -> str:
        return self.password

    @prop("Domain")
    def _domain(self) -> str:
        return self.domain


@net_type("System.Management.Automation.PSCredential")
class PSCredential(NetObject):
    def __init__(self, user: str, password: SecureString) -> None:
        self.user = user
        self.password = password

    def __repr__(self) -> str:
        return f"PSCredential({self.user}, <hidden>)"

    @staticmethod
    @constructor("System.String", "System.Security.SecureString")
    def _new(_host: Any, user: str | None, password: SecureString | None) -> PSCredential:
        if not user:
            # PSCredential(String, SecureString): "userName" must not be null or empty (ArgumentException).
            raise net_error(
                "System.Management.Automation.PSArgumentException",
                'Cannot process argument because the value of argument "userName" is not valid. Change the value of '
                'the "userName" argument and run the operation again.',
            )
        if password is None:
            raise net_error(
                "System.Management.Automation.PSArgumentNullException",
                'Cannot process argument because the value of argument "password" is null. Change the value of '
                'argument "password" to a non-null value.',
            )
        return PSCredential(user, password)

    @prop("UserName")
    def _user(self) -> str:
        return self.user

    @prop("Password")
    def _password(self) -> SecureString:
        return self.password

    @method("GetNetworkCredential")
    def _network(self) -> NetworkCredential:
        domain, _slash, user = self.user.rpartition("\\")
        return NetworkCredential(user, self.password.reveal(), domain)


@cmdlet("ConvertTo-SecureString", positional=("String", "SecureKey"), switches=("AsPlainText", "Force"))
def convert_to_secure_string(call: CmdletCall) -> Iterable[Any] | None:
    """ConvertTo-SecureString help: ``-AsPlainText`` needs ``-Force``; without it the cmdlet writes the error
    ForceRequired ("The system cannot protect plain text input. ...", ImportSecureString_ForceRequired,
    InvalidArgument, ArgumentException: SecureStringCommands.cs and .resx of the PowerShell sources of 2016, whose
    text keeps the original "information ,type:"). Decrypting a standard (DPAPI) or -Key string is not modelled."""
    refuse(call, ("SecureKey", "Key"))
    if not call.has("String"):
        raise call.not_modelled("without -String (pipeline input, or the prompt for a missing mandatory parameter)")
    text = call.get("String")
    # -String is mandatory (ConvertTo-SecureString help: "Required: True"), so the binder refuses $null and '' before
    # the cmdlet runs (about_Functions_Advanced_Parameters, Mandatory; the binder's ParameterArgumentValidationError).
    if text is None or text == "":
        what, suffix = ("null", "NullNotAllowed") if text is None else ("an empty string", "EmptyStringNotAllowed")
        call.throw(
            f"Cannot bind argument to parameter 'String' because it is {what}.",
            fqid=f"ParameterArgumentValidationError{suffix}", category="InvalidData",
            exception="System.Management.Automation.ParameterBindingValidationException",
        )  # fmt: skip
    if not call.switch("AsPlainText"):
        raise call.not_modelled("without -AsPlainText (a DPAPI-encrypted standard string)")
    if not call.switch("Force"):
        call.write_error(
            "The system cannot protect plain text input. To suppress this warning and convert the plain text to a "
            "SecureString, reissue the command specifying the Force parameter. For more information ,type: get-help "
            "ConvertTo-SecureString.",
            fqid="ImportSecureString_ForceRequired", category="InvalidArgument", exception="System.ArgumentException",
        )  # fmt: skip
        return None
    return [SecureString(call.engine.to_string(text))]
