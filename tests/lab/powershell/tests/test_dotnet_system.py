"""Environment, IO.Path/File, Math, Enum, Guid and the System.Management.Automation types: documented behaviour
(Microsoft Learn member pages; mscorlib.txt messages; PowerShell's ErrorPackage.cs for ErrorCategory)."""

from __future__ import annotations

import re

import pytest

from tests.lab.powershell.dotnet import running_on
from tests.lab.powershell.dotnet.automation import error_category
from tests.lab.powershell.dotnet.system import process_state
from tests.lab.powershell.errors import ErrorRecord, NetException
from tests.lab.powershell.tests.dotnet_calls import call, construct, get, host_for, static_call, static_get
from tests.lab.powershell.values import CLR2, CLR4, EnumValue, TypeRef, enum_value, find_type


def enum(type_name: str, member: str) -> EnumValue:
    net = find_type(type_name)
    assert net is not None and net.enum_members is not None
    return enum_value(net, net.enum_members[member])


def type_ref(name: str) -> TypeRef:
    net = find_type(name)
    assert net is not None
    return TypeRef(net)


def test_environment() -> None:
    """Environment.MachineName is the NetBIOS computer name; NewLine CR LF; OSVersion from the OS build."""
    host = host_for("2010")
    assert static_get(host, "System.Environment", "MachineName") == "EXCH2010"
    assert static_get(host, "System.Environment", "NewLine") == "\r\n"
    version = static_get(host, "System.Environment", "OSVersion")
    assert version.to_string() == "Microsoft Windows NT 6.1.7601 Service Pack 1"
    assert (
        static_call(host, "System.Environment", "GetEnvironmentVariable", "computername", types=("System.String",))
        == "EXCH2010"
    )


def test_temp_file_name_creates_an_empty_file() -> None:
    """Path.GetTempFileName: "Creates a uniquely named, zero-byte temporary file on disk and returns the full path"
    (tmpXXXX.tmp in GetTempPath, which ends with a separator)."""
    host = host_for("2010")
    with running_on(host):
        temp = static_call(host, "System.IO.Path", "GetTempPath", types=())
        name = static_call(host, "System.IO.Path", "GetTempFileName", types=())
    assert temp == "C:\\Users\\Administrator\\AppData\\Local\\Temp\\"
    assert re.fullmatch(re.escape(temp) + r"tmp[0-9A-F]{1,4}\.tmp", name)
    assert host.machine.files.read(name) == b""
    assert name in host.machine.to_dict()["files"]["files"]  # type: ignore[index]


def test_files() -> None:
    """File.WriteAllText writes UTF-8 without a BOM; ReadAllText detects a BOM; a missing file:
    FileNotFoundException "Could not find file '...'."; Delete of a missing file does nothing; a missing directory:
    DirectoryNotFoundException."""
    host = host_for("2010")
    with running_on(host):
        static_call(
            host,
            "System.IO.File",
            "WriteAllText",
            "C:\\Windows\\Temp\\a.txt",
            "h\xe9",
            types=("System.String", "System.String"),
        )
        assert host.machine.files.read("c:\\windows\\temp\\A.TXT") == "h\xe9".encode()
        assert (
            static_call(host, "System.IO.File", "ReadAllText", "C:\\Windows\\Temp\\a.txt", types=("System.String",))
            == "h\xe9"
        )
        assert (
            static_call(host, "System.IO.File", "Exists", "C:\\WINDOWS\\temp\\a.txt", types=("System.String",)) is True
        )
        with pytest.raises(NetException) as missing:
            static_call(host, "System.IO.File", "ReadAllBytes", "C:\\Windows\\Temp\\b.txt", types=("System.String",))
        static_call(host, "System.IO.File", "Delete", "C:\\Windows\\Temp\\b.txt", types=("System.String",))
        with pytest.raises(NetException) as no_directory:
            static_call(
                host,
                "System.IO.File",
                "WriteAllText",
                "C:\\nowhere\\c.txt",
                "x",
                types=("System.String", "System.String"),
            )
        static_call(host, "System.IO.File", "Delete", "C:\\Windows\\Temp\\a.txt", types=("System.String",))
    assert missing.value.type_name == "System.IO.FileNotFoundException"
    assert missing.value.message == "Could not find file 'C:\\Windows\\Temp\\b.txt'."
    assert no_directory.value.type_name == "System.IO.DirectoryNotFoundException"
    assert not host.machine.files.is_file("C:\\Windows\\Temp\\a.txt")


def test_path() -> None:
    """Path.Combine keeps a rooted second part; GetFileName / GetExtension / GetDirectoryName; GetFullPath resolves
    against the process's current directory; illegal characters: Argument_InvalidPathChars."""
    host = host_for("2010")
    path = "System.IO.Path"
    two = ("System.String", "System.String")
    assert static_call(host, path, "Combine", "C:\\a", "b.txt", types=two) == "C:\\a\\b.txt"
    assert static_call(host, path, "Combine", "C:\\a\\", "D:\\b", types=two) == "D:\\b"
    assert static_call(host, path, "GetFileName", "C:\\a\\b.tar.gz", types=("System.String",)) == "b.tar.gz"
    assert static_call(host, path, "GetExtension", "C:\\a\\b.tar.gz", types=("System.String",)) == ".gz"
    assert static_call(host, path, "GetDirectoryName", "C:\\a\\b.txt", types=("System.String",)) == "C:\\a"
    assert static_call(host, path, "GetDirectoryName", "C:\\", types=("System.String",)) is None
    assert static_call(host, path, "GetFullPath", "..\\x\\.\\y.txt", types=("System.String",)) == "C:\\Users\\x\\y.txt"
    with pytest.raises(NetException) as raised:
        static_call(host, path, "GetFileName", "a<b", types=("System.String",))
    assert raised.value.message == "Illegal characters in path."


def test_process_environment_is_the_hosts() -> None:
    """The process's environment block is Host.environment ($env:), with the profile's TEMP."""
    host = host_for("2007sp1")
    state = process_state(host)
    assert host.environment["TEMP"] == "C:\\Users\\Administrator\\AppData\\Local\\Temp"
    assert state.environment is host.environment
    assert "PSMODULEPATH" not in host.environment  # PowerShell 1.0 has no modules


def test_math() -> None:
    """Math.Round rounds half to even (MidpointRounding.ToEven) unless AwayFromZero; Abs(Int32.MinValue)
    overflows (Overflow_NegateTwosCompNum)."""
    assert static_call(None, "System.Math", "Round", 2.5, types=("System.Double",)) == 2.0
    # Math.Round(double, int): value * 10^digits, rounded as a double, divided back (number.cs InternalRound)
    assert static_call(None, "System.Math", "Round", 0.125, 2, types=("System.Double", "System.Int32")) == 0.12
    assert static_call(None, "System.Math", "Round", 2.5, enum("System.MidpointRounding", "AwayFromZero"),
                       types=("System.Double", "System.MidpointRounding")) == 3.0  # fmt: skip
    with pytest.raises(NetException) as raised:
        static_call(None, "System.Math", "Abs", -(2**31), types=("System.Int32",))
    assert raised.value.message == "Negating the minimum value of a twos complement number is invalid."
    assert static_call(None, "System.Math", "Max", 3, 7, types=("System.Int32", "System.Int32")) == 7


def test_enum_members() -> None:
    """Enum.GetNames in value order; Parse of names joined by commas, case-sensitive by default
    (Arg_EnumValueNotFound); HasFlag from .NET 4."""
    open_flags = type_ref("System.Security.Cryptography.X509Certificates.OpenFlags")
    names = static_call(None, "System.Enum", "GetNames", open_flags, types=("System.Type",))
    assert list(names) == ["ReadOnly", "ReadWrite", "MaxAllowed", "OpenExistingOnly", "IncludeArchived"]
    parsed = static_call(
        None, "System.Enum", "Parse", open_flags, "ReadWrite, IncludeArchived", types=("System.Type", "System.String")
    )
    assert (parsed.value, parsed.name) == (9, "ReadWrite, IncludeArchived")
    with pytest.raises(NetException) as raised:
        static_call(None, "System.Enum", "Parse", open_flags, "readwrite", types=("System.Type", "System.String"))
    assert raised.value.message.startswith("Requested value 'readwrite' was not found.")
    flags = find_type("System.Enum")
    assert flags is not None
    assert flags.find_member("HasFlag", runtime=CLR2) is None
    assert call(parsed, "System.Enum", "HasFlag", enum_value(open_flags.net, 1), types=("System.Enum",), runtime=CLR4)
    assert call(parsed, "System.Enum", "ToString", "D", types=("System.String",)) == "9"


def test_error_category_values_and_runtime() -> None:
    """ErrorPackage.cs: NotSpecified = 0 ... SecurityError = 25 (PowerShell 2.0), ProtocolError = 26 ... NotEnabled =
    31."""
    net = find_type("System.Management.Automation.ErrorCategory")
    assert net is not None and net.enum_members is not None
    assert list(net.enum_members.items())[:2] == [("NotSpecified", 0), ("OpenError", 1)]
    assert (net.enum_members["SecurityError"], net.enum_members["NotEnabled"]) == (25, 31)
    assert net.member_since["ProtocolError"] == CLR4 and "SecurityError" not in net.member_since
    assert error_category("invalidargument").value == 5


def test_error_record_and_exceptions() -> None:
    """ErrorRecord(Exception, string, ErrorCategory, object); exception constructors (), (string), (string,
    Exception) with .NET's default texts; GetType() names the exception's own type."""
    inner = construct(None, "System.FormatException", types=())
    assert inner.message == "One of the identified items was in an invalid format."
    outer = construct(
        None, "System.InvalidOperationException", "boom", inner, types=("System.String", "System.Exception")
    )
    record = construct(None, "System.Management.Automation.ErrorRecord", outer, "Failed",
                       enum("System.Management.Automation.ErrorCategory", "InvalidArgument"), None,
                       types=("System.Exception", "System.String", "System.Management.Automation.ErrorCategory",
                              "System.Object"))  # fmt: skip
    assert isinstance(record, ErrorRecord)
    assert (record.fqid, record.category, record.exception.inner) == ("Failed", "InvalidArgument", inner)
    assert outer.net_type_name == "System.InvalidOperationException"
    assert find_type("System.InvalidOperationException").is_assignable_to(find_type("System.SystemException"))  # type: ignore[union-attr,arg-type]
    assert construct(None, "System.Exception", None, types=("System.String",)).message == (
        "Exception of type 'System.Exception' was thrown."
    )
    null = construct(None, "System.ArgumentNullException", "value", types=("System.String",))
    assert null.message == "Value cannot be null.\r\nParameter name: value"


def test_credentials_keep_the_secret_out_of_text() -> None:
    """PSCredential(string, SecureString); GetNetworkCredential splits DOMAIN\\user; SecureString.ToString() is its
    type name."""
    secret = construct(None, "System.Security.SecureString", types=())
    for character in "S3cr3t!":
        call(secret, "System.Security.SecureString", "AppendChar", character, types=("System.Char",))
    credential = construct(None, "System.Management.Automation.PSCredential", "CONTOSO\\svc", secret,
                           types=("System.String", "System.Security.SecureString"))  # fmt: skip
    network = call(credential, "System.Management.Automation.PSCredential", "GetNetworkCredential", types=())
    user = get(network, "System.Net.NetworkCredential", "UserName")
    assert (user, get(network, "System.Net.NetworkCredential", "Domain")) == ("svc", "CONTOSO")
    assert get(network, "System.Net.NetworkCredential", "Password") == "S3cr3t!"
    assert "S3cr3t" not in secret.to_string() + repr(secret) + repr(credential) + repr(network)
    assert get(secret, "System.Security.SecureString", "Length") == 7


def test_guid() -> None:
    guid = static_call(None, "System.Guid", "NewGuid", types=())
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", guid.to_string())
    assert call(guid, "System.Guid", "ToString", "B", types=("System.String",)).startswith("{")
