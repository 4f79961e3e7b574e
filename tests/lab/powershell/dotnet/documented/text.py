"""Documented members of the text types: String, Char, StringBuilder, the encodings, Convert, the regular
expression types and CultureInfo."""

from __future__ import annotations

from ...values import CLR4, document_members

# https://learn.microsoft.com/dotnet/api/system.string (Chars is the indexer, which PowerShell shows as a
# parameterized property)
document_members(
    "System.String",
    instance="Chars Length Clone CompareTo Contains CopyTo EndsWith Equals GetEnumerator GetHashCode GetTypeCode "
    "IndexOf IndexOfAny Insert IsNormalized LastIndexOf LastIndexOfAny Normalize PadLeft PadRight Remove Replace "
    "Split StartsWith Substring ToCharArray ToLower ToLowerInvariant ToString ToUpper ToUpperInvariant Trim TrimEnd "
    "TrimStart",
    static="Empty Compare CompareOrdinal Concat Copy Equals Format Intern IsInterned IsNullOrEmpty Join op_Equality "
    "op_Inequality",
)
document_members("System.String", static="IsNullOrWhiteSpace", since=CLR4)
# https://learn.microsoft.com/dotnet/api/system.char
document_members(
    "System.Char",
    instance="CompareTo Equals GetHashCode GetTypeCode ToString",
    static="MaxValue MinValue ConvertFromUtf32 ConvertToUtf32 GetNumericValue GetUnicodeCategory IsControl IsDigit "
    "IsHighSurrogate IsLetter IsLetterOrDigit IsLower IsLowSurrogate IsNumber IsPunctuation IsSeparator IsSurrogate "
    "IsSurrogatePair IsSymbol IsUpper IsWhiteSpace Parse ToLower ToLowerInvariant ToString ToUpper ToUpperInvariant "
    "TryParse",
)
# https://learn.microsoft.com/dotnet/api/system.text.stringbuilder
document_members(
    "System.Text.StringBuilder",
    instance="Capacity Chars Length MaxCapacity Append AppendFormat AppendLine CopyTo EnsureCapacity Equals Insert "
    "Remove Replace ToString",
)
document_members("System.Text.StringBuilder", instance="Clear", since=CLR4)

# https://learn.microsoft.com/dotnet/api/system.text.encoding
document_members(
    "System.Text.Encoding",
    instance="BodyName CodePage DecoderFallback EncoderFallback EncodingName HeaderName IsBrowserDisplay "
    "IsBrowserSave IsMailNewsDisplay IsMailNewsSave IsReadOnly IsSingleByte WebName WindowsCodePage Clone Equals "
    "GetByteCount GetBytes GetCharCount GetChars GetDecoder GetEncoder GetHashCode GetMaxByteCount GetMaxCharCount "
    "GetPreamble GetString IsAlwaysNormalized",
    static="ASCII BigEndianUnicode Default Unicode UTF32 UTF7 UTF8 Convert GetEncoding GetEncodings",
)
document_members("System.Text.Encoding", static="RegisterProvider", since=CLR4)  # 4.6
# The encodings' own pages (system.text.utf8encoding, asciiencoding, unicodeencoding, utf32encoding,
# utf7encoding) list only overrides of Encoding's members, and UnicodeEncoding the CharSize field; Latin1Encoding
# and SBCSCodePageEncoding are internal: their public members are Encoding's.
for _encoding in (
    "UTF8Encoding",
    "ASCIIEncoding",
    "UTF32Encoding",
    "UTF7Encoding",
    "Latin1Encoding",
    "SBCSCodePageEncoding",
):
    document_members("System.Text." + _encoding)
document_members("System.Text.UnicodeEncoding", static="CharSize")

# https://learn.microsoft.com/dotnet/api/system.convert
document_members(
    "System.Convert",
    static="DBNull ChangeType FromBase64CharArray FromBase64String GetTypeCode IsDBNull ToBase64CharArray "
    "ToBase64String ToBoolean ToByte ToChar ToDateTime ToDecimal ToDouble ToInt16 ToInt32 ToInt64 ToSByte ToSingle "
    "ToString ToUInt16 ToUInt32 ToUInt64",
)

_REGEX = "System.Text.RegularExpressions."
# https://learn.microsoft.com/dotnet/api/system.text.regularexpressions.regex
document_members(
    _REGEX + "Regex",
    instance="Options RightToLeft GetGroupNames GetGroupNumbers GroupNameFromNumber GroupNumberFromName IsMatch "
    "Match Matches Replace Split ToString",
    static="CacheSize CompileToAssembly Escape IsMatch Match Matches Replace Split Unescape",
)
document_members(_REGEX + "Regex", instance="MatchTimeout", static="InfiniteMatchTimeout", since=CLR4)  # 4.5
# https://learn.microsoft.com/dotnet/api/system.text.regularexpressions.capture
document_members(_REGEX + "Capture", instance="Index Length Value ToString")
# https://learn.microsoft.com/dotnet/api/system.text.regularexpressions.group
document_members(_REGEX + "Group", instance="Captures Success", static="Synchronized")
document_members(_REGEX + "Group", instance="Name", since=CLR4)  # 4.7
# https://learn.microsoft.com/dotnet/api/system.text.regularexpressions.match
document_members(_REGEX + "Match", instance="Groups NextMatch Result", static="Empty Synchronized")
# https://learn.microsoft.com/dotnet/api/system.text.regularexpressions.matchcollection, groupcollection and
# capturecollection: the same ICollection members.
for _collection in ("MatchCollection", "GroupCollection", "CaptureCollection"):
    document_members(
        _REGEX + _collection, instance="Count IsReadOnly IsSynchronized Item SyncRoot CopyTo GetEnumerator"
    )

# https://learn.microsoft.com/dotnet/api/system.globalization.cultureinfo
document_members(
    "System.Globalization.CultureInfo",
    instance="Calendar CompareInfo CultureTypes DateTimeFormat DisplayName EnglishName IetfLanguageTag "
    "IsNeutralCulture IsReadOnly KeyboardLayoutId LCID Name NativeName NumberFormat OptionalCalendars Parent "
    "TextInfo ThreeLetterISOLanguageName ThreeLetterWindowsLanguageName TwoLetterISOLanguageName UseUserOverride "
    "ClearCachedData Clone Equals GetConsoleFallbackUICulture GetFormat GetHashCode ToString",
    static="CurrentCulture CurrentUICulture InstalledUICulture InvariantCulture CreateSpecificCulture GetCultureInfo "
    "GetCultureInfoByIetfLanguageTag GetCultures ReadOnly",
)
document_members(
    "System.Globalization.CultureInfo", static="DefaultThreadCurrentCulture DefaultThreadCurrentUICulture", since=CLR4
)  # 4.5
