"""String, Char, StringBuilder, Encoding, Convert, composite and numeric formatting, Regex: their documented .NET
Framework behaviour (Microsoft Learn pages of the members; referencesource mscorlib string.cs / number.cs and the
mscorlib.txt resource strings for messages), including what exists only from .NET 4."""

from __future__ import annotations

import pytest

from tests.lab.powershell.dotnet import running_on
from tests.lab.powershell.dotnet._runtime import byte_array
from tests.lab.powershell.dotnet.formatting import composite_format, format_number
from tests.lab.powershell.dotnet.globalization import culture_data
from tests.lab.powershell.dotnet.time import from_parts
from tests.lab.powershell.errors import NetException, NotModelled
from tests.lab.powershell.tests.dotnet_calls import (
    call,
    construct,
    get,
    has_member,
    host_for,
    static_call,
    static_get,
)
from tests.lab.powershell.values import CLR2, CLR4, Char, PSArray, TypedInt, enum_value, find_type

EN = culture_data("en-US")
INVARIANT = culture_data("")
DE = culture_data("de-DE")


def split_options(name: str) -> object:
    net = find_type("System.StringSplitOptions")
    assert net is not None and net.enum_members is not None
    return enum_value(net, net.enum_members[name])


# -- runtime split --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "member", "parameters", "static"),
    [
        ("System.String", "IsNullOrWhiteSpace", ("System.String",), True),
        ("System.String", "Join", ("System.String", "System.Object[]"), True),
        ("System.String", "Join", ("System.String", "System.Collections.Generic.IEnumerable`1[System.String]"), True),
        ("System.Text.StringBuilder", "Clear", (), False),
        ("System.Enum", "HasFlag", ("System.Enum",), False),
        ("System.IO.Path", "Combine", ("System.String", "System.String", "System.String"), True),
    ],
)
def test_members_added_by_net_4_are_absent_on_clr_2(
    type_name: str, member: str, parameters: tuple[str, ...], static: bool
) -> None:
    """Microsoft Learn, "Version Information": these members are new in .NET Framework 4."""
    assert has_member(type_name, member, *parameters, static=static, runtime=CLR4)
    assert not has_member(type_name, member, *parameters, static=static, runtime=CLR2)


def test_members_of_net_2_exist_on_clr_2() -> None:
    """String.Split(String[], StringSplitOptions), String.Join(String, String[]), Contains and StringBuilder.Append
    (String, Int32, Int32) are .NET 2.0 members."""
    assert has_member("System.String", "Split", "System.String[]", "System.StringSplitOptions", runtime=CLR2)
    assert has_member("System.String", "Join", "System.String", "System.String[]", static=True, runtime=CLR2)
    assert has_member("System.String", "Contains", "System.String", runtime=CLR2)
    assert has_member("System.Text.StringBuilder", "Append", "System.String", "System.Int32", "System.Int32",
                      runtime=CLR2)  # fmt: skip


# -- String -------------------------------------------------------------------------------------------------------


def test_split() -> None:
    """string.cs SplitInternal: empty entries kept by default; with a count the last part keeps the rest; with
    RemoveEmptyEntries and a count, the separators after the last kept part are skipped; no separators: white space."""
    string = "System.String"
    assert list(call("a,,b", string, "Split", PSArray([Char(",")]), types=("System.Char[]",))) == ["a", "", "b"]
    assert list(call("a,b,c", string, "Split", PSArray([Char(",")]), 2, types=("System.Char[]", "System.Int32"))) == [
        "a", "b,c"
    ]  # fmt: skip
    options = ("System.String[]", "System.Int32", "System.StringSplitOptions")
    skipping = split_options("RemoveEmptyEntries")
    assert list(call("a,,b,c", string, "Split", PSArray([","]), 2, skipping, types=options)) == ["a", "b,c"]
    assert list(call("a<>b<>", string, "Split", PSArray(["<>"]), split_options("None"),
                     types=("System.String[]", "System.StringSplitOptions"))) == ["a", "b", ""]  # fmt: skip
    assert list(call(" a \tb ", string, "Split", PSArray([]), types=("System.Char[]",))) == ["", "a", "", "b", ""]


def test_trim_list_differs_by_runtime() -> None:
    """String.Trim() remarks: .NET 3.5 SP1 and earlier trim U+200B and U+FEFF (not in Char.IsWhiteSpace), .NET 4
    trims the white-space characters only."""
    text = "\u200b x \ufeff"
    with running_on(host_for("2010")):
        assert call(text, "System.String", "Trim", types=()) == "x"
    with running_on(host_for("2013")):
        assert call(text, "System.String", "Trim", types=()) == "\u200b x \ufeff"


def test_substring_and_insert_messages() -> None:
    """string.cs Substring: ArgumentOutOfRangeException with ArgumentOutOfRange_IndexLength."""
    assert call("abcdef", "System.String", "Substring", 2, 3, types=("System.Int32", "System.Int32")) == "cde"
    with pytest.raises(NetException) as raised:
        call("abc", "System.String", "Substring", 1, 5, types=("System.Int32", "System.Int32"))
    assert raised.value.type_name == "System.ArgumentOutOfRangeException"
    assert (
        raised.value.message == "Index and length must refer to a location within the string.\r\nParameter name: length"
    )


def test_string_statics() -> None:
    host = host_for()
    assert (
        static_call(
            host, "System.String", "Join", ",", PSArray(["a", None, "c"]), types=("System.String", "System.String[]")
        )
        == "a,,c"
    )
    assert (
        static_call(
            host, "System.String", "Format", "{0}-{1}", PSArray([1, "x"]), types=("System.String", "System.Object[]")
        )
        == "1-x"
    )
    assert static_call(host, "System.String", "IsNullOrEmpty", None, types=("System.String",)) is True
    assert static_get(host, "System.String", "Empty") == ""
    assert static_call(host, "System.String", "Compare", "a", "B", types=("System.String", "System.String")) == -1
    assert static_call(host, "System.String", "CompareOrdinal", "a", "B", types=("System.String", "System.String")) > 0


def test_culture_comparison_outside_letters_and_digits_is_refused() -> None:
    with pytest.raises(NotModelled):
        static_call(None, "System.String", "Compare", "co-op", "coop", types=("System.String", "System.String"))


def test_char_members() -> None:
    assert static_call(None, "System.Char", "IsDigit", Char("7"), types=("System.Char",)) is True
    assert static_call(None, "System.Char", "IsLetter", "a1", 1, types=("System.String", "System.Int32")) is False
    assert static_call(None, "System.Char", "IsWhiteSpace", Char("\xa0"), types=("System.Char",)) is True
    assert call(Char("x"), "System.Char", "ToString", types=()) == "x"


# -- formatting -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text", "culture", "expected"),
    [
        (255, "x4", INVARIANT, "00ff"),
        (-1, "X", INVARIANT, "FFFFFFFF"),
        (TypedInt(-1, "System.Int64"), "X", INVARIANT, "FFFFFFFFFFFFFFFF"),
        (42, "D5", INVARIANT, "00042"),
        (1234567.891, "N", EN, "1,234,567.89"),
        (1234567.891, "N", DE, "1.234.567,89"),
        (2.5, "F0", INVARIANT, "3"),
        (0.125, "F2", INVARIANT, "0.13"),
        (0.5, "P", EN, "50.00 %"),
        (-42, "C", EN, "($42.00)"),
        (1234.5, "E", INVARIANT, "1.234500E+003"),
        (0.1 + 0.2, None, INVARIANT, "0.3"),
        (1 / 3, "R", INVARIANT, "0.33333333333333331"),
        (1e15, None, INVARIANT, "1E+15"),
        (0.00001, None, INVARIANT, "1E-05"),
        (1234567, "#,##0", EN, "1,234,567"),
        (5, "000", INVARIANT, "005"),
        (-5, "0;(0)", INVARIANT, "(5)"),
        (1.5, "0.00", DE, "1,50"),
    ],
)
def test_numeric_formats(value: object, text: str | None, culture: object, expected: str) -> None:
    """Standard and custom numeric format strings (Microsoft Learn): .NET Framework's Double is formatted from 15
    significant digits ("R" tries 15, then 17), rounding half away from zero; en-US P is "n %"."""
    assert format_number(value, text, culture) == expected  # type: ignore[arg-type]


def test_integer_to_string_overloads() -> None:
    invariant = static_get(None, "System.Globalization.CultureInfo", "InvariantCulture")
    assert (
        call(255, "System.Int32", "ToString", "x4", invariant, types=("System.String", "System.IFormatProvider"))
        == "00ff"
    )
    with pytest.raises(NetException) as raised:
        call(2.5, "System.Double", "ToString", "X", types=("System.String",))
    assert raised.value.message == "Format specifier was invalid."
    assert static_get(None, "System.Int32", "MaxValue") == 2**31 - 1
    assert static_call(None, "System.Int32", "Parse", " -12 ", types=("System.String",)) == -12
    with pytest.raises(NetException) as overflow:
        static_call(None, "System.Byte", "Parse", "256", types=("System.String",))
    assert overflow.value.message == "Value was either too large or too small for an unsigned byte."


def test_composite_format() -> None:
    """Composite formatting: {index[,alignment][:format]}, {{ and }}; a bad item: FormatException
    (Format_InvalidString), an index past the arguments: Format_IndexOutOfRange."""
    assert composite_format("{0:x4}|{1,-4}|{1,4}|{{x}}|{2:yyyy-MM-dd}", [255, "ab", from_parts(2020, 1, 2)], EN) == (
        "00ff|ab  |  ab|{x}|2020-01-02"
    )  # fmt: skip
    with pytest.raises(NetException) as bad:
        composite_format("{0", [1], EN)
    assert bad.value.message == "Input string was not in a correct format."
    with pytest.raises(NetException) as missing:
        composite_format("{1}", [1], EN)
    assert missing.value.message.startswith("Index (zero based) must be greater than or equal to zero")
    assert composite_format("{0}", [None], EN) == ""


# -- StringBuilder --------------------------------------------------------------------------------------------------


def test_string_builder() -> None:
    """StringBuilder.Append(String, Int32, Int32) checks (startIndex, count, then the range); AppendLine adds CR LF."""
    builder = construct(None, "System.Text.StringBuilder", types=())
    sb = "System.Text.StringBuilder"
    call(builder, sb, "Append", "hello", 1, 3, types=("System.String", "System.Int32", "System.Int32"))
    call(builder, sb, "Append", Char("!"), types=("System.Char",))
    call(builder, sb, "AppendFormat", "{0:x2}", PSArray([10]), types=("System.String", "System.Object[]"))
    call(builder, sb, "AppendLine", types=())
    assert call(builder, sb, "ToString", types=()) == "ell!0a\r\n"
    assert call(builder, sb, "ToString", 1, 2, types=("System.Int32", "System.Int32")) == "ll"
    assert get(builder, sb, "Length") == 8
    with pytest.raises(NetException) as raised:
        call(builder, sb, "Append", "abc", 2, 5, types=("System.String", "System.Int32", "System.Int32"))
    assert raised.value.message.startswith("Index was out of range.")


# -- Encoding, Convert ------------------------------------------------------------------------------------------


def test_encodings() -> None:
    """UTF8Encoding replaces invalid bytes with U+FFFD; ASCIIEncoding encodes and decodes what is not ASCII as '?';
    Encoding.Default is the ANSI code page (lab setting 1252); Encoding.UTF8 has a BOM preamble."""
    host = host_for()
    utf8 = static_get(host, "System.Text.Encoding", "UTF8")
    ascii_ = static_get(host, "System.Text.Encoding", "ASCII")
    assert (
        call(utf8, "System.Text.Encoding", "GetString", byte_array(b"a\xffb"), types=("System.Byte[]",)) == "a\ufffdb"
    )
    assert list(call(ascii_, "System.Text.Encoding", "GetBytes", "a\xe9", types=("System.String",))) == [0x61, 0x3F]
    assert call(ascii_, "System.Text.Encoding", "GetString", byte_array(b"\xe9"), types=("System.Byte[]",)) == "?"
    default = static_get(host, "System.Text.Encoding", "Default")
    assert (get(default, "System.Text.Encoding", "CodePage"), get(default, "System.Text.Encoding", "WebName")) == (
        1252, "Windows-1252"
    )  # fmt: skip
    assert list(call(utf8, "System.Text.Encoding", "GetPreamble", types=())) == [0xEF, 0xBB, 0xBF]
    assert utf8.net_type_name == "System.Text.UTF8Encoding"
    with pytest.raises(NotModelled):
        call(default, "System.Text.Encoding", "GetBytes", "\u0101", types=("System.String",))


def test_base64() -> None:
    """Convert.FromBase64String ignores white space; bad input: FormatException, with the .NET 4.5+ texts
    (mscorlib.txt) on CLR 4 and the .NET 2.0 ones on CLR 2; ToBase64String(InsertLineBreaks) breaks every 76."""
    decoded = static_call(None, "System.Convert", "FromBase64String", " YWJj\r\nZA== ", types=("System.String",))
    assert bytes(decoded) == b"abcd"
    with running_on(host_for("2013")), pytest.raises(NetException) as clr4:
        static_call(None, "System.Convert", "FromBase64String", "ab!d", types=("System.String",))
    assert clr4.value.message.startswith("The input is not a valid Base-64 string")
    with running_on(host_for("2010")), pytest.raises(NetException) as clr2:
        static_call(None, "System.Convert", "FromBase64String", "abc", types=("System.String",))
    assert clr2.value.message == "Invalid length for a Base-64 char array."
    net = find_type("System.Base64FormattingOptions")
    assert net is not None
    wrapped = static_call(None, "System.Convert", "ToBase64String", byte_array(bytes(100)), enum_value(net, 1),
                          types=("System.Byte[]", "System.Base64FormattingOptions"))  # fmt: skip
    assert wrapped.split("\r\n")[0] == "A" * 76


def test_convert_to_int32_from_base() -> None:
    """Convert.ToInt32(String, Int32): base 16 may start with 0x and reads two's complement; a bad base:
    Arg_InvalidBase."""
    to_int = ("System.String", "System.Int32")
    assert static_call(None, "System.Convert", "ToInt32", "0x1F", 16, types=to_int) == 31
    assert static_call(None, "System.Convert", "ToInt32", "ffffffff", 16, types=to_int) == -1
    with pytest.raises(NetException) as raised:
        static_call(None, "System.Convert", "ToInt32", "12", 3, types=to_int)
    assert raised.value.message == "Invalid Base."


# -- Regex ------------------------------------------------------------------------------------------------------


def test_regex_translation() -> None:
    """.NET syntax: named groups (?<n>), \\p{Lu}, replacement $1 / ${n} / $$ (the longest prefix that is a group
    number: $10 with one group is group 1 and "0")."""
    regex = construct(
        None, "System.Text.RegularExpressions.Regex", r"(?<word>\p{Lu}\w+)\s(?<n>\d+)", types=("System.String",)
    )
    match = call(regex, "System.Text.RegularExpressions.Regex", "Match", "xx Hello 42", types=("System.String",))
    groups = get(match, "System.Text.RegularExpressions.Match", "Groups")
    assert (get(match, "System.Text.RegularExpressions.Match", "Index"), groups["word"].value, groups["n"].value) == (
        3,
        "Hello",
        "42",
    )
    replaced = static_call(None, "System.Text.RegularExpressions.Regex", "Replace", "ab", "(a)", "[$1$$$10${1}]",
                           types=("System.String", "System.String", "System.String"))  # fmt: skip
    assert replaced == "[a$a0a]b"
    assert (
        static_call(None, "System.Text.RegularExpressions.Regex", "Escape", "a.b c#[x]", types=("System.String",))
        == r"a\.b\ c\#\[x]"
    )
    matches = static_call(
        None,
        "System.Text.RegularExpressions.Regex",
        "Matches",
        "a1b22",
        r"\d+",
        types=("System.String", "System.String"),
    )
    assert [each.value for each in matches] == ["1", "22"]


def test_regex_errors_and_refusals() -> None:
    """A bad pattern: ArgumentException "parsing "..." - Not enough )'s."; balancing groups and RightToLeft are not
    modelled."""
    with pytest.raises(NetException) as raised:
        construct(None, "System.Text.RegularExpressions.Regex", "(ab", types=("System.String",))
    assert raised.value.message == 'parsing "(ab" - Not enough )\'s.'
    with pytest.raises(NotModelled):
        construct(None, "System.Text.RegularExpressions.Regex", "(?<a-b>x)", types=("System.String",))
    with pytest.raises(NotModelled):
        construct(None, "System.Text.RegularExpressions.Regex", "(a)(?<n>b)", types=("System.String",))
