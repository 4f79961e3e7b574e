"""System.Text.RegularExpressions: Regex, Match, Group, MatchCollection, over Python's ``re``.

.NET syntax is translated where Python's engine means the same (Microsoft Learn "Regular expression language -
quick reference"): named groups ``(?<n>)`` / ``(?'n')`` and ``\\k<n>``, ``\\p{..}`` / ``\\P{..}`` general categories
(expanded to character ranges), ``\\Z`` / ``\\z``, ``\\e``, ``\\cX``, RegexOptions IgnoreCase, Multiline, Singleline,
IgnorePatternWhitespace, ExplicitCapture. What Python cannot express the same way is refused (NotModelled): balancing
groups, character class subtraction, ``\\G``, RightToLeft, ECMAScript, inline options after the start, a pattern mixing
named and numbered groups (whose numbering differs), variable-length lookbehind, Captures of a repeated group.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

from ..errors import NotModelled
from ..values import EnumValue, Hashtable, NetObject, PSArray, constructor, enum_type, method, net_type, prop, static
from ._runtime import argument_null, argument_out_of_range, net_error

__all__ = ["NetRegex", "compile_pattern", "match_object", "matches_table", "replace"]

NS = "System.Text.RegularExpressions."
REGEX_OPTIONS = enum_type(
    NS + "RegexOptions",
    {
        "None": 0, "IgnoreCase": 1, "Multiline": 2, "ExplicitCapture": 4, "Compiled": 8, "Singleline": 16,
        "IgnorePatternWhitespace": 32, "RightToLeft": 64, "ECMAScript": 256, "CultureInvariant": 512,
    },
    flags=True,
)  # fmt: skip


@functools.lru_cache(maxsize=64)
def _category_ranges(category: str) -> str:
    """The BMP characters of a Unicode general category (``L`` for all letters), as character class ranges."""
    ranges: list[str] = []
    start = None
    previous = -2
    for code in range(0x10000):
        character_category = "Cs" if 0xD800 <= code <= 0xDFFF else unicodedata.category(chr(code))
        matches = character_category.startswith(category)
        if matches:
            if start is None:
                start = code
            previous = code
        elif start is not None:
            ranges.append(_range_text(start, previous))
            start = None
    if start is not None:
        ranges.append(_range_text(start, previous))
    return "".join(ranges)


def _range_text(start: int, end: int) -> str:
    return f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}"


_CATEGORIES = {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps",
               "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co",
               "Cn"}  # fmt: skip


def _parse_error(pattern: str, message: str) -> Exception:
    # RegexParser: ArgumentException(SR.MakeException) "parsing \"{0}\" - {1}"
    return net_error("System.ArgumentException", f'parsing "{pattern}" - {message}')


def _translate(pattern: str, options: int) -> str:
    if options & 64:
        raise NotModelled("RegexOptions.RightToLeft")
    if options & 256:
        raise NotModelled("RegexOptions.ECMAScript")
    explicit = bool(options & 4)
    out: list[str] = []
    index, length = 0, len(pattern)
    in_class = False
    named = numbered = False
    extended = bool(options & 32)
    while index < length:
        char = pattern[index]
        if char == "\\":
            if index + 1 >= length:
                raise _parse_error(pattern, "Illegal \\ at end of pattern.")
            following = pattern[index + 1]
            if following in "pP" and index + 2 < length and pattern[index + 2] == "{":
                end = pattern.find("}", index + 3)
                if end < 0:
                    raise _parse_error(pattern, "Incomplete \\p{X} character escape.")
                name = pattern[index + 3 : end]
                if name not in _CATEGORIES:
                    raise NotModelled(f"the Unicode class \\{following}{{{name}}} in a regular expression")
                ranges = _category_ranges(name)
                if following == "P":
                    if in_class:
                        raise NotModelled("\\P{..} inside a character class")
                    out.append(f"[^{ranges}]")
                else:
                    out.append(ranges if in_class else f"[{ranges}]")
                index = end + 1
                continue
            if following == "k" and index + 2 < length and pattern[index + 2] in "<'":
                close = ">" if pattern[index + 2] == "<" else "'"
                end = pattern.find(close, index + 3)
                name = pattern[index + 3 : end]
                out.append(f"(?P={name})" if not name.isdigit() else f"\\{name}")
                index = end + 1
                continue
            if following == "G":
                raise NotModelled("\\G in a regular expression")
            if following == "Z":
                out.append("(?=\\n?\\Z)")
            elif following == "z":
                out.append("\\Z")
            elif following == "e":
                out.append("\\x1b")
            elif following == "c" and index + 2 < length:
                out.append(f"\\x{ord(pattern[index + 2].upper()) - 64:02x}")
                index += 3
                continue
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            if char == "[" and index + 1 < length and pattern[index + 1] == ":":
                out.append("\\[")
            elif char == "-" and index + 1 < length and pattern[index + 1] == "[":
                raise NotModelled("character class subtraction in a regular expression")
            elif char == "]":
                in_class = False
                out.append(char)
            elif char == "[":
                out.append("\\[")
            else:
                out.append(char)
            index += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            index += 1
            if index < length and pattern[index] == "^":
                out.append("^")
                index += 1
            if index < length and pattern[index] == "]":
                out.append("\\]")
                index += 1
            continue
        if extended and char == "#":
            end = pattern.find("\n", index)
            index = length if end < 0 else end + 1
            continue
        if char == "(":
            rest = pattern[index + 1 :]
            if rest.startswith("?"):
                group = re.match(r"\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')", rest)
                if group:
                    named = True
                    out.append(f"(?P<{group.group(1) or group.group(2)}>")
                    index += 1 + group.end()
                    continue
                if re.match(r"\?<[^=!]|\?'", rest):
                    raise NotModelled("a balancing or numbered named group in a regular expression")
                if rest.startswith("?>") and sys.version_info < (3, 11):
                    raise NotModelled("atomic groups (?>...) on Python before 3.11")
                if rest.startswith("?#"):
                    end = pattern.find(")", index)
                    index = length if end < 0 else end + 1
                    continue
                flags = re.match(r"\?([imnsx]*)(?:-([imnsx]*))?([:)])", rest)
                if flags and (flags.group(1) or flags.group(2)):
                    if "n" in (flags.group(1) or "") + (flags.group(2) or ""):
                        raise NotModelled("the inline option n (explicit capture)")
                    if flags.group(3) == ")" and index != 0:
                        raise NotModelled("inline options in the middle of a regular expression")
                out.append("(")
                index += 1
                continue
            if explicit:
                out.append("(?:")
            else:
                numbered = True
                out.append("(")
            index += 1
            continue
        out.append(char)
        index += 1
    if in_class:
        raise _parse_error(pattern, "Unterminated [] set.")
    if named and numbered:
        raise NotModelled("a regular expression with both named and numbered groups (their numbering differs)")
    return "".join(out)


_PYTHON_ERRORS = (
    ("missing ), unterminated subpattern", "Not enough )'s."),
    ("unbalanced parenthesis", "Too many )'s."),
    ("unterminated character set", "Unterminated [] set."),
    ("nothing to repeat", "Quantifier {x,y} following nothing."),
    ("multiple repeat", "Nested quantifier."),
)


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str, options: int = 0) -> re.Pattern[str]:
    """A .NET pattern with RegexOptions, as a compiled Python pattern (ArgumentException for a bad pattern)."""
    if pattern is None:
        raise argument_null("pattern")
    flags = 0
    if options & 1:
        flags |= re.IGNORECASE
    if options & 2:
        flags |= re.MULTILINE
    if options & 16:
        flags |= re.DOTALL
    if options & 32:
        flags |= re.VERBOSE
    translated = _translate(pattern, options)
    try:
        return re.compile(translated, flags)
    except re.error as problem:
        text = str(problem)
        if "look-behind requires fixed-width" in text:
            raise NotModelled("a variable-length lookbehind in a regular expression") from None
        for python, net in _PYTHON_ERRORS:
            if python in text:
                raise _parse_error(pattern, net) from None
        raise NotModelled(f"the regular expression {pattern!r} (Python's engine says: {text})") from None


def _escape(text: str) -> str:
    """Regex.Escape: \\ * + ? | { [ ( ) ^ $ . # and white space (as \\t \\n \\f \\r and "\\ ")."""
    specials = {"\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", " ": "\\ "}
    return "".join(specials.get(c, "\\" + c if c in "\\*+?|{[()^$.#" else c) for c in text)


def _unescape(text: str) -> str:
    simple = {"t": "\t", "n": "\n", "f": "\f", "r": "\r", "a": "\a", "e": "\x1b", "v": "\v"}
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following == "u":
                out.append(chr(int(text[index + 2 : index + 6], 16)))
                index += 6
                continue
            if following == "x":
                out.append(chr(int(text[index + 2 : index + 4], 16)))
                index += 4
                continue
            out.append(simple.get(following, following))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


# -- results ----------------------------------------------------------------------------------------------------


@net_type(NS + "Capture")
class Capture(NetObject):
    def __init__(self, text: str, start: int, end: int) -> None:
        self.source = text
        self.start = start
        self.end = end

    @property
    def value(self) -> str:
        return self.source[self.start : self.end]

    def to_string(self) -> str:
        return self.value

    @prop("Value")
    def _value(self) -> str:
        return self.value

    @prop("Index")
    def _index(self) -> int:
        return self.start

    @prop("Length")
    def _length(self) -> int:
        return self.end - self.start

    @method("ToString")
    def _to_string(self) -> str:
        return self.value


@net_type(NS + "Group", base=NS + "Capture")
class Group(Capture):
    def __init__(self, text: str, start: int, end: int, success: bool) -> None:
        super().__init__(text, start, end)
        self.success = success

    @prop("Success")
    def _success(self) -> bool:
        return self.success

    @prop("Captures")
    def _captures(self) -> Any:
        raise NotModelled("Group.Captures (Python keeps only the last capture of a group)")


@net_type(NS + "GroupCollection", interfaces=("System.Collections.ICollection",))
class GroupCollection(NetObject):
    def __init__(self, groups: list[Group], names: dict[str, int]) -> None:
        self.groups = groups
        self.names = names

    def __len__(self) -> int:
        return len(self.groups)

    def __iter__(self) -> Iterator[Group]:
        return iter(list(self.groups))

    def __getitem__(self, key: int | str) -> Group:
        """By number or name; an unknown one gives an unsuccessful empty group (GroupCollection docs)."""
        number = self.names.get(key, -1) if isinstance(key, str) else key
        if isinstance(key, str) and key.isdigit():
            number = int(key)
        if 0 <= number < len(self.groups):
            return self.groups[number]
        return Group(self.groups[0].source, 0, 0, False)

    @prop("Count")
    def _count(self) -> int:
        return len(self.groups)


@net_type(NS + "Match", base=NS + "Group")
class Match(Group):
    def __init__(self, regex: NetRegex, text: str, found: re.Match[str] | None) -> None:
        super().__init__(text, found.start() if found else 0, found.end() if found else 0, found is not None)
        self.regex = regex
        self.found = found

    @prop("Groups")
    def _groups(self) -> GroupCollection:
        return GroupCollection(self.groups(), dict(self.regex.compiled.groupindex))

    def groups(self) -> list[Group]:
        if self.found is None:
            return [Group(self.source, 0, 0, False)] + [
                Group(self.source, 0, 0, False) for _group in range(self.regex.compiled.groups)
            ]
        groups = []
        for number in range(self.regex.compiled.groups + 1):
            start, end = self.found.span(number)
            groups.append(Group(self.source, max(start, 0), max(end, 0), start >= 0))
        return groups

    @method("NextMatch")
    def _next(self) -> Match:
        if self.found is None:
            return self
        position = self.end if self.end > self.start else self.end + 1
        if position > len(self.source):
            return Match(self.regex, self.source, None)
        return Match(self.regex, self.source, self.regex.compiled.search(self.source, position))

    @method("Result", "System.String")
    def _result(self, replacement: str) -> str:
        if self.found is None:
            raise net_error("System.NotSupportedException", "Result cannot be called on a failed Match.")
        return _expand(replacement, self.found, self.regex.compiled)

    @staticmethod
    @prop("Empty", static_member=True)
    def _empty(_host: Any) -> Match:
        return Match(NetRegex(""), "", None)


@net_type(NS + "MatchCollection", interfaces=("System.Collections.ICollection",))
class MatchCollection(NetObject):
    def __init__(self, matches: list[Match]) -> None:
        self.matches = matches

    def __len__(self) -> int:
        return len(self.matches)

    def __iter__(self) -> Iterator[Match]:
        return iter(list(self.matches))

    def __getitem__(self, index: int) -> Match:
        if not 0 <= index < len(self.matches):
            raise argument_out_of_range("i", "Specified argument was out of the range of valid values.")
        return self.matches[index]

    @prop("Count")
    def _count(self) -> int:
        return len(self.matches)


def _expand(replacement: str, found: re.Match[str], compiled: re.Pattern[str]) -> str:
    """A .NET replacement pattern: $n (the longest prefix that is a group), ${name}, $$, $&, $`, $', $+, $_."""
    out, index = [], 0
    source = found.string
    while index < len(replacement):
        char = replacement[index]
        if char != "$" or index + 1 >= len(replacement):
            out.append(char)
            index += 1
            continue
        following = replacement[index + 1]
        if following == "$":
            out.append("$")
            index += 2
        elif following == "&":
            out.append(found.group(0))
            index += 2
        elif following == "`":
            out.append(source[: found.start()])
            index += 2
        elif following == "'":
            out.append(source[found.end() :])
            index += 2
        elif following == "_":
            out.append(source)
            index += 2
        elif following == "+":
            last = compiled.groups
            out.append((found.group(last) or "") if last else found.group(0))
            index += 2
        elif following == "{":
            end = replacement.find("}", index)
            name = replacement[index + 2 : end] if end > 0 else ""
            number = int(name) if name.isdigit() else compiled.groupindex.get(name)
            if end < 0 or number is None or number > compiled.groups:
                out.append(char)
                index += 1
                continue
            out.append(found.group(number) or "")
            index = end + 1
        elif following.isdigit():
            digits_end = index + 1
            best = None
            while digits_end < len(replacement) and replacement[digits_end].isdigit():
                number = int(replacement[index + 1 : digits_end + 1])
                if number <= compiled.groups:
                    best = (number, digits_end + 1)
                digits_end += 1
            if best is None:
                out.append(char)
                index += 1
                continue
            out.append(found.group(best[0]) or "")
            index = best[1]
        else:
            out.append(char)
            index += 1
    return "".join(out)


def replace(compiled: re.Pattern[str], text: str, replacement: str, count: int = -1, start: int = 0) -> str:
    if replacement is None:
        raise argument_null("replacement")
    out, position = [text[:start]], start
    for done, found in enumerate(compiled.finditer(text, start)):
        if 0 <= count <= done:
            break
        out.append(text[position : found.start()])
        out.append(_expand(replacement, found, compiled))
        position = found.end()
    out.append(text[position:])
    return "".join(out)


def match_object(regex: NetRegex, text: str, found: re.Match[str] | None) -> Match:
    return Match(regex, text, found)


# -- Regex ------------------------------------------------------------------------------------------------------


def _text(value: str | None, parameter: str = "input") -> str:
    if value is None:
        raise argument_null(parameter)
    return value


def _start_check(text: str, start: int) -> None:
    if not 0 <= start <= len(text):
        raise argument_out_of_range("startat", "Start index cannot be less than 0 or greater than input length.")


@net_type(NS + "Regex", interfaces=("System.Runtime.Serialization.ISerializable",))
class NetRegex(NetObject):
    def __init__(self, pattern: str, options: int = 0) -> None:
        if options & ~(1 | 2 | 4 | 8 | 16 | 32 | 64 | 256 | 512):
            raise argument_out_of_range("options", "Specified argument was out of the range of valid values.")
        self.pattern = pattern
        self.options = options
        self.compiled = compile_pattern(pattern, options)

    def to_string(self) -> str:
        return self.pattern

    @staticmethod
    @constructor("System.String")
    def _new(_host: Any, pattern: str) -> NetRegex:
        return NetRegex(_text(pattern, "pattern"))

    @staticmethod
    @constructor("System.String", NS + "RegexOptions")
    def _with_options(_host: Any, pattern: str, options: EnumValue) -> NetRegex:
        return NetRegex(_text(pattern, "pattern"), options.value)

    @prop("Options")
    def _options(self) -> EnumValue:
        from ..values import enum_value

        return enum_value(REGEX_OPTIONS, self.options)

    @prop("RightToLeft")
    def _right_to_left(self) -> bool:
        return False

    @method("ToString")
    def _to_string(self) -> str:
        return self.pattern

    @method("GetGroupNames")
    def _group_names(self) -> PSArray:
        names = [str(n) for n in range(self.compiled.groups + 1)]
        for name, number in self.compiled.groupindex.items():
            names[number] = name
        return PSArray(names, element_type="System.String")

    @method("GetGroupNumbers")
    def _group_numbers(self) -> PSArray:
        return PSArray(list(range(self.compiled.groups + 1)), element_type="System.Int32")

    @method("GroupNumberFromName", "System.String")
    def _number_from_name(self, name: str) -> int:
        if name.isdigit() and int(name) <= self.compiled.groups:
            return int(name)
        return self.compiled.groupindex.get(name, -1)

    @method("GroupNameFromNumber", "System.Int32")
    def _name_from_number(self, number: int) -> str:
        names = self._group_names()
        return names[number] if 0 <= number < len(names) else ""

    @method("IsMatch", "System.String")
    def _is_match(self, text: str) -> bool:
        return self.compiled.search(_text(text)) is not None

    @method("IsMatch", "System.String", "System.Int32")
    def _is_match_from(self, text: str, start: int) -> bool:
        _start_check(_text(text), start)
        return self.compiled.search(text, start) is not None

    @method("Match", "System.String")
    def _match(self, text: str) -> Match:
        return Match(self, _text(text), self.compiled.search(_text(text)))

    @method("Match", "System.String", "System.Int32")
    def _match_from(self, text: str, start: int) -> Match:
        _start_check(_text(text), start)
        return Match(self, text, self.compiled.search(text, start))

    @method("Match", "System.String", "System.Int32", "System.Int32")
    def _match_range(self, text: str, start: int, length: int) -> Match:
        _start_check(_text(text), start)
        if length < 0 or start + length > len(text):
            raise argument_out_of_range("length", "Length cannot be less than 0 or exceed input length.")
        return Match(self, text, self.compiled.search(text, start, start + length))

    @method("Matches", "System.String")
    def _matches(self, text: str) -> MatchCollection:
        return MatchCollection([Match(self, text, found) for found in self.compiled.finditer(_text(text))])

    @method("Matches", "System.String", "System.Int32")
    def _matches_from(self, text: str, start: int) -> MatchCollection:
        _start_check(_text(text), start)
        return MatchCollection([Match(self, text, found) for found in self.compiled.finditer(text, start)])

    @method("Replace", "System.String", "System.String")
    def _replace(self, text: str, replacement: str) -> str:
        return replace(self.compiled, _text(text), replacement)

    @method("Replace", "System.String", "System.String", "System.Int32")
    def _replace_count(self, text: str, replacement: str, count: int) -> str:
        return replace(self.compiled, _text(text), replacement, count)

    @method("Replace", "System.String", "System.String", "System.Int32", "System.Int32")
    def _replace_count_from(self, text: str, replacement: str, count: int, start: int) -> str:
        _start_check(_text(text), start)
        return replace(self.compiled, text, replacement, count, start)

    @method("Split", "System.String")
    def _split(self, text: str) -> PSArray:
        return PSArray([part or "" for part in self.compiled.split(_text(text))], element_type="System.String")

    @method("Split", "System.String", "System.Int32")
    def _split_count(self, text: str, count: int) -> PSArray:
        if count < 0:
            raise argument_out_of_range("count", "Count cannot be less than -1.")
        parts = self.compiled.split(_text(text), maxsplit=max(count - 1, 0)) if count != 1 else [text]
        return PSArray([part or "" for part in parts], element_type="System.String")

    # -- static -----------------------------------------------------------------------------------------------

    @staticmethod
    @static("Escape", "System.String")
    def _escape(_host: Any, text: str) -> str:
        return _escape(_text(text, "str"))

    @staticmethod
    @static("Unescape", "System.String")
    def _unescape(_host: Any, text: str) -> str:
        return _unescape(_text(text, "str"))

    @staticmethod
    @static("IsMatch", "System.String", "System.String")
    def _static_is_match(_host: Any, text: str, pattern: str) -> bool:
        return NetRegex(_text(pattern, "pattern"))._is_match(text)

    @staticmethod
    @static("IsMatch", "System.String", "System.String", NS + "RegexOptions")
    def _static_is_match_options(_host: Any, text: str, pattern: str, options: EnumValue) -> bool:
        return NetRegex(_text(pattern, "pattern"), options.value)._is_match(text)

    @staticmethod
    @static("Match", "System.String", "System.String")
    def _static_match(_host: Any, text: str, pattern: str) -> Match:
        return NetRegex(_text(pattern, "pattern"))._match(text)

    @staticmethod
    @static("Match", "System.String", "System.String", NS + "RegexOptions")
    def _static_match_options(_host: Any, text: str, pattern: str, options: EnumValue) -> Match:
        return NetRegex(_text(pattern, "pattern"), options.value)._match(text)

    @staticmethod
    @static("Matches", "System.String", "System.String")
    def _static_matches(_host: Any, text: str, pattern: str) -> MatchCollection:
        return NetRegex(_text(pattern, "pattern"))._matches(text)

    @staticmethod
    @static("Matches", "System.String", "System.String", NS + "RegexOptions")
    def _static_matches_options(_host: Any, text: str, pattern: str, options: EnumValue) -> MatchCollection:
        return NetRegex(_text(pattern, "pattern"), options.value)._matches(text)

    @staticmethod
    @static("Replace", "System.String", "System.String", "System.String")
    def _static_replace(_host: Any, text: str, pattern: str, replacement: str) -> str:
        return NetRegex(_text(pattern, "pattern"))._replace(text, replacement)

    @staticmethod
    @static("Replace", "System.String", "System.String", "System.String", NS + "RegexOptions")
    def _static_replace_options(_host: Any, text: str, pattern: str, replacement: str, options: EnumValue) -> str:
        return NetRegex(_text(pattern, "pattern"), options.value)._replace(text, replacement)

    @staticmethod
    @static("Split", "System.String", "System.String")
    def _static_split(_host: Any, text: str, pattern: str) -> PSArray:
        return NetRegex(_text(pattern, "pattern"))._split(text)

    @staticmethod
    @static("Split", "System.String", "System.String", NS + "RegexOptions")
    def _static_split_options(_host: Any, text: str, pattern: str, options: EnumValue) -> PSArray:
        return NetRegex(_text(pattern, "pattern"), options.value)._split(text)


def matches_table(found: re.Match[str]) -> Hashtable:
    """What ``$matches`` holds after a successful -match: group numbers and names to their values (about_Regular_
    Expressions: only the groups that matched)."""
    table = Hashtable()
    names = {number: name for name, number in found.re.groupindex.items()}
    for number in range(found.re.groups + 1):
        if found.span(number)[0] >= 0:
            table[names.get(number, number)] = found.group(number)
    return table
