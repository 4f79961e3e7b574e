"""System.DateTime and System.TimeSpan, with .NET's date and time format strings.

DateTime is a count of 100-ns ticks since 0001-01-01 and a Kind (Unspecified, Utc, Local); equality and ordering
compare the ticks only (DateTime.Equals / CompareTo docs: "compares the Ticks ... and ignores Kind"). Local time is
the host's time zone, a lab setting (``HostState.utc_offset_minutes``, default 0 = UTC, no daylight saving).
Formats follow "Standard date and time format strings" and "Custom date and time format strings" (Microsoft Learn).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from ..errors import NetException, NotModelled
from ..values import CLR4, EnumValue, NetObject, TypedInt, constructor, enum_type, enum_value, method, net_type, prop
from ..values import static as static_method
from ._runtime import argument_null, argument_out_of_range, current_host, net_error
from .globalization import CultureData, CultureInfo, current_culture

__all__ = ["DateTime", "TimeSpan", "format_datetime", "from_python", "local_offset_ticks"]

TICKS_PER_MS = 10_000
TICKS_PER_SECOND = 10_000_000
TICKS_PER_MINUTE = 60 * TICKS_PER_SECOND
TICKS_PER_HOUR = 60 * TICKS_PER_MINUTE
TICKS_PER_DAY = 24 * TICKS_PER_HOUR
MAX_TICKS = 3_155_378_975_999_999_999  # DateTime.MaxValue.Ticks (9999-12-31 23:59:59.9999999)
FILETIME_EPOCH_TICKS = 504_911_232_000_000_000  # 1601-01-01
_EPOCH = datetime.datetime(1, 1, 1)

DATE_TIME_KIND = enum_type("System.DateTimeKind", {"Unspecified": 0, "Utc": 1, "Local": 2})
DAY_OF_WEEK = enum_type(
    "System.DayOfWeek",
    {"Sunday": 0, "Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6},
)
_KINDS = ("Unspecified", "Utc", "Local")


def local_offset_ticks() -> int:
    """The host time zone's offset from UTC in ticks (TimeZone.CurrentTimeZone)."""
    host = current_host()
    minutes = host.machine.utc_offset_minutes if host is not None else 0
    return minutes * TICKS_PER_MINUTE


def _format_error() -> NetException:
    # mscorlib.txt Format_InvalidString
    return net_error("System.FormatException", "Input string was not in a correct format.")


def _date_arithmetic_error() -> NetException:
    return argument_out_of_range(
        "value", "The added or subtracted value results in an un-representable DateTime."
    )  # mscorlib.txt ArgumentOutOfRange_DateArithmetic


def _round_to_ms(value: float, scale: int) -> int:
    """DateTime.Add(double, scale) / TimeSpan.Interval: the value in whole milliseconds, rounded half away from 0."""
    millis = value * scale + (0.5 if value >= 0 else -0.5)
    return int(millis) * TICKS_PER_MS


@net_type(
    "System.DateTime",
    base="System.ValueType",
    interfaces=("System.IComparable", "System.IFormattable", "System.IConvertible"),
    value_type=True,
)
class DateTime(NetObject):
    """An immutable DateTime value."""

    def __init__(self, ticks: int, kind: str = "Unspecified") -> None:
        if not 0 <= ticks <= MAX_TICKS:
            raise argument_out_of_range(
                "ticks", "Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks."
            )
        self.ticks = ticks
        self.kind = kind

    # -- Python helpers -----------------------------------------------------------------------------------------

    def as_python(self) -> datetime.datetime:
        """The wall-clock value (naive), to microseconds."""
        return _EPOCH + datetime.timedelta(microseconds=self.ticks // 10)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateTime) and other.ticks == self.ticks

    def __hash__(self) -> int:
        return hash(self.ticks)

    def __lt__(self, other: DateTime) -> bool:
        return self.ticks < other.ticks

    def __le__(self, other: DateTime) -> bool:
        return self.ticks <= other.ticks

    def __gt__(self, other: DateTime) -> bool:
        return self.ticks > other.ticks

    def __ge__(self, other: DateTime) -> bool:
        return self.ticks >= other.ticks

    def __repr__(self) -> str:
        return f"DateTime({self.as_python().isoformat()}, {self.kind})"

    def _shifted(self, ticks: int, kind: str | None = None) -> DateTime:
        total = self.ticks + ticks
        if not 0 <= total <= MAX_TICKS:
            raise _date_arithmetic_error()
        return DateTime(total, kind or self.kind)

    def to_string(self) -> str:
        return format_datetime(self, "G", current_culture())

    # -- constructors -------------------------------------------------------------------------------------------

    @staticmethod
    @constructor("System.Int64")
    def _from_ticks(_host: Any, ticks: int) -> DateTime:
        return DateTime(ticks)

    @staticmethod
    @constructor("System.Int64", "System.DateTimeKind")
    def _from_ticks_kind(_host: Any, ticks: int, kind: EnumValue) -> DateTime:
        return DateTime(ticks, _KINDS[kind.value])

    @staticmethod
    @constructor("System.Int32", "System.Int32", "System.Int32")
    def _from_date(_host: Any, year: int, month: int, day: int) -> DateTime:
        return from_parts(year, month, day)

    @staticmethod
    @constructor("System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32")
    def _from_parts(_host: Any, year: int, month: int, day: int, hour: int, minute: int, second: int) -> DateTime:
        return from_parts(year, month, day, hour, minute, second)

    @staticmethod
    @constructor(
        "System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32",
        "System.DateTimeKind",
    )  # fmt: skip
    def _from_parts_kind(
        _host: Any, year: int, month: int, day: int, hour: int, minute: int, second: int, kind: EnumValue
    ) -> DateTime:
        return from_parts(year, month, day, hour, minute, second, kind=_KINDS[kind.value])

    @staticmethod
    @constructor(
        "System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32"
    )
    def _from_parts_ms(
        _host: Any, year: int, month: int, day: int, hour: int, minute: int, second: int, millisecond: int
    ) -> DateTime:
        return from_parts(year, month, day, hour, minute, second, millisecond)

    # -- static members -----------------------------------------------------------------------------------------

    @staticmethod
    @prop("Now", static_member=True)
    def _now(host: Any) -> DateTime:
        return now(host).to_local()

    @staticmethod
    @prop("UtcNow", static_member=True)
    def _utc_now(host: Any) -> DateTime:
        return now(host)

    @staticmethod
    @prop("Today", static_member=True)
    def _today(host: Any) -> DateTime:
        return now(host).to_local().date()

    @staticmethod
    @prop("MinValue", static_member=True)
    def _min(_host: Any) -> DateTime:
        return DateTime(0)

    @staticmethod
    @prop("MaxValue", static_member=True)
    def _max(_host: Any) -> DateTime:
        return DateTime(MAX_TICKS)

    @staticmethod
    @static_method("Compare", "System.DateTime", "System.DateTime")
    def _compare(_host: Any, left: DateTime, right: DateTime) -> int:
        return (left.ticks > right.ticks) - (left.ticks < right.ticks)

    @staticmethod
    @static_method("DaysInMonth", "System.Int32", "System.Int32")
    def _days_in_month(_host: Any, year: int, month: int) -> int:
        if not 1 <= month <= 12:
            raise argument_out_of_range("month", "Month must be between one and twelve.")
        following = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return (following - datetime.date(year, month, 1)).days

    @staticmethod
    @static_method("IsLeapYear", "System.Int32")
    def _is_leap(_host: Any, year: int) -> bool:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)

    @staticmethod
    @static_method("FromFileTimeUtc", "System.Int64")
    def _from_file_time_utc(_host: Any, file_time: int) -> DateTime:
        return DateTime(file_time + FILETIME_EPOCH_TICKS, "Utc")

    @staticmethod
    @static_method("FromFileTime", "System.Int64")
    def _from_file_time(_host: Any, file_time: int) -> DateTime:
        return DateTime(file_time + FILETIME_EPOCH_TICKS, "Utc").to_local()

    @staticmethod
    @static_method("SpecifyKind", "System.DateTime", "System.DateTimeKind")
    def _specify_kind(_host: Any, value: DateTime, kind: EnumValue) -> DateTime:
        return DateTime(value.ticks, _KINDS[kind.value])

    # -- properties ---------------------------------------------------------------------------------------------

    @prop("Ticks")
    def _ticks(self) -> TypedInt:
        return TypedInt(self.ticks, "System.Int64")

    @prop("Kind")
    def _kind(self) -> EnumValue:
        return enum_value(DATE_TIME_KIND, _KINDS.index(self.kind))

    @prop("Date")
    def _date(self) -> DateTime:
        return self.date()

    def date(self) -> DateTime:
        return DateTime(self.ticks - self.ticks % TICKS_PER_DAY, self.kind)

    @prop("Year")
    def _year(self) -> int:
        return self.as_python().year

    @prop("Month")
    def _month(self) -> int:
        return self.as_python().month

    @prop("Day")
    def _day(self) -> int:
        return self.as_python().day

    @prop("Hour")
    def _hour(self) -> int:
        return self.as_python().hour

    @prop("Minute")
    def _minute(self) -> int:
        return self.as_python().minute

    @prop("Second")
    def _second(self) -> int:
        return self.as_python().second

    @prop("Millisecond")
    def _millisecond(self) -> int:
        return self.as_python().microsecond // 1000

    @prop("DayOfWeek")
    def _day_of_week(self) -> EnumValue:
        return enum_value(DAY_OF_WEEK, (self.as_python().weekday() + 1) % 7)

    @prop("DayOfYear")
    def _day_of_year(self) -> int:
        return self.as_python().timetuple().tm_yday

    @prop("TimeOfDay")
    def _time_of_day(self) -> TimeSpan:
        return TimeSpan(self.ticks % TICKS_PER_DAY)

    # -- methods ------------------------------------------------------------------------------------------------

    @method("Add", "System.TimeSpan")
    def _add(self, span: TimeSpan) -> DateTime:
        return self._shifted(span.ticks)

    @method("Subtract", "System.TimeSpan")
    def _subtract_span(self, span: TimeSpan) -> DateTime:
        return self._shifted(-span.ticks)

    @method("Subtract", "System.DateTime")
    def _subtract_date(self, other: DateTime) -> TimeSpan:
        return TimeSpan(self.ticks - other.ticks)

    @method("AddTicks", "System.Int64")
    def _add_ticks(self, ticks: int) -> DateTime:
        return self._shifted(ticks)

    @method("AddMilliseconds", "System.Double")
    def _add_ms(self, value: float) -> DateTime:
        return self._shifted(_round_to_ms(value, 1))

    @method("AddSeconds", "System.Double")
    def _add_seconds(self, value: float) -> DateTime:
        return self._shifted(_round_to_ms(value, 1000))

    @method("AddMinutes", "System.Double")
    def _add_minutes(self, value: float) -> DateTime:
        return self._shifted(_round_to_ms(value, 60_000))

    @method("AddHours", "System.Double")
    def _add_hours(self, value: float) -> DateTime:
        return self._shifted(_round_to_ms(value, 3_600_000))

    @method("AddDays", "System.Double")
    def _add_days(self, value: float) -> DateTime:
        return self._shifted(_round_to_ms(value, 86_400_000))

    @method("AddMonths", "System.Int32")
    def _add_months(self, months: int) -> DateTime:
        if not -120_000 <= months <= 120_000:
            raise argument_out_of_range("months", "Months value must be between +/-120000.")
        moment = self.as_python()
        index = moment.year * 12 + moment.month - 1 + months
        year, month = divmod(index, 12)
        if not 1 <= year <= 9999:
            raise argument_out_of_range(
                "months", "The added or subtracted value results in an un-representable DateTime."
            )
        day = min(moment.day, DateTime._days_in_month(None, year, month + 1))
        return DateTime(from_parts(year, month + 1, day).ticks + self.ticks % TICKS_PER_DAY, self.kind)

    @method("AddYears", "System.Int32")
    def _add_years(self, years: int) -> DateTime:
        if not -10_000 <= years <= 10_000:
            raise argument_out_of_range("years", "Years value must be between +/-10000.")
        return self._add_months(years * 12)

    def to_universal(self) -> DateTime:
        """ToUniversalTime: Local and Unspecified values are taken as local time."""
        if self.kind == "Utc":
            return self
        return DateTime(min(max(self.ticks - local_offset_ticks(), 0), MAX_TICKS), "Utc")

    def to_local(self) -> DateTime:
        """ToLocalTime: Utc and Unspecified values are taken as UTC."""
        if self.kind == "Local":
            return self
        return DateTime(min(max(self.ticks + local_offset_ticks(), 0), MAX_TICKS), "Local")

    @method("ToUniversalTime")
    def _to_universal(self) -> DateTime:
        return self.to_universal()

    @method("ToLocalTime")
    def _to_local(self) -> DateTime:
        return self.to_local()

    @method("ToFileTimeUtc")
    def _to_file_time_utc(self) -> TypedInt:
        return TypedInt(self.ticks - FILETIME_EPOCH_TICKS, "System.Int64")

    @method("ToFileTime")
    def _to_file_time(self) -> TypedInt:
        return TypedInt(self.to_universal().ticks - FILETIME_EPOCH_TICKS, "System.Int64")

    @method("ToString")
    def _to_string(self) -> str:
        return format_datetime(self, "G", current_culture())

    @method("ToString", "System.String")
    def _to_string_format(self, text: str | None) -> str:
        return format_datetime(self, text or "G", current_culture())

    @method("ToString", "System.IFormatProvider")
    def _to_string_provider(self, provider: CultureInfo | None) -> str:
        return format_datetime(self, "G", _culture_of(provider))

    @method("ToString", "System.String", "System.IFormatProvider")
    def _to_string_format_provider(self, text: str | None, provider: CultureInfo | None) -> str:
        return format_datetime(self, text or "G", _culture_of(provider))

    @method("ToShortDateString")
    def _short_date(self) -> str:
        return format_datetime(self, "d", current_culture())

    @method("ToLongDateString")
    def _long_date(self) -> str:
        return format_datetime(self, "D", current_culture())

    @method("ToShortTimeString")
    def _short_time(self) -> str:
        return format_datetime(self, "t", current_culture())

    @method("ToLongTimeString")
    def _long_time(self) -> str:
        return format_datetime(self, "T", current_culture())

    @method("CompareTo", "System.DateTime")
    def _compare_to(self, other: DateTime) -> int:
        return DateTime._compare(None, self, other)

    @method("CompareTo", "System.Object")
    def _compare_to_object(self, other: Any) -> int:
        if other is None:
            return 1
        if not isinstance(other, DateTime):
            raise net_error("System.ArgumentException", "Object must be of type DateTime.")  # Arg_MustBeDateTime
        return DateTime._compare(None, self, other)

    @method("Equals", "System.DateTime")
    def _equals(self, other: DateTime) -> bool:
        return self == other

    @method("Equals", "System.Object")
    def _equals_object(self, other: Any) -> bool:
        return self == other


def from_parts(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, millisecond: int = 0,
    *, kind: str = "Unspecified",
) -> DateTime:  # fmt: skip
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second, millisecond * 1000)
    except ValueError:
        # mscorlib.txt ArgumentOutOfRange_BadYearMonthDay / ArgumentOutOfRange_BadHourMinuteSecond
        if 0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60 and 0 <= millisecond < 1000:
            raise argument_out_of_range(
                "", "Year, Month, and Day parameters describe an un-representable DateTime."
            ) from None
        raise argument_out_of_range(
            "", "Hour, Minute, and Second parameters describe an un-representable DateTime."
        ) from None
    return from_python(moment, kind)


def from_python(moment: datetime.datetime, kind: str = "Unspecified") -> DateTime:
    """A DateTime with ``moment``'s wall-clock value (an aware moment is taken in UTC and given ``kind`` Utc)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        kind = "Utc"
    delta = moment - _EPOCH
    return DateTime((delta.days * 86_400 + delta.seconds) * TICKS_PER_SECOND + delta.microseconds * 10, kind)


def now(host: Any) -> DateTime:
    """DateTime.UtcNow on ``host`` (its clock)."""
    return from_python(host.now() if host is not None else datetime.datetime.now(datetime.timezone.utc))


def _culture_of(provider: Any) -> CultureData:
    return provider.data if isinstance(provider, CultureInfo) else current_culture()


# -- TimeSpan ---------------------------------------------------------------------------------------------------


# TimeSpan.Parse(String) (.NET reference): "[ws][-]{ d | [d.]hh:mm[:ss[.ff]] }[ws]", days 0-10675199, hours 0-23,
# minutes and seconds 0-59, one to seven fractional digits. The fraction separator is the invariant culture's "."
# only (from .NET 4 the current culture's is also taken: not modelled).
_TIME_SPAN = re.compile(r"^\s*(-)?(?:(\d+)|(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d+))?)?)\s*$")
# mscorlib.txt Format_BadTimeSpan, Overflow_TimeSpanElementTooLarge.
_BAD_TIME_SPAN = "String was not recognized as a valid TimeSpan."
_TIME_SPAN_ELEMENT = (
    "The TimeSpan could not be parsed because at least one of the numeric components is out of range or contains too "
    "many digits."
)


def parse_time_span(text: str | None) -> TimeSpan:
    """TimeSpan.Parse: ArgumentNullException for null, FormatException for another form, OverflowException for a
    component out of its range."""
    if text is None:
        raise argument_null("s")
    found = _TIME_SPAN.match(text)
    if found is None:
        raise net_error("System.FormatException", _BAD_TIME_SPAN)
    sign, days_alone, days, hours, minutes, seconds, fraction = found.groups()
    day_count = int(days_alone or days or 0)
    parts = (int(hours or 0), int(minutes or 0), int(seconds or 0))
    if day_count > 10675199 or parts[0] > 23 or parts[1] > 59 or parts[2] > 59 or len(fraction or "") > 7:
        raise net_error("System.OverflowException", _TIME_SPAN_ELEMENT)
    ticks = (((day_count * 24 + parts[0]) * 60 + parts[1]) * 60 + parts[2]) * TICKS_PER_SECOND
    ticks += int((fraction or "").ljust(7, "0"))
    return TimeSpan(-ticks if sign else ticks)


@net_type(
    "System.TimeSpan",
    base="System.ValueType",
    interfaces=("System.IComparable", "System.IFormattable"),
    value_type=True,
)
class TimeSpan(NetObject):
    """A duration in ticks."""

    def __init__(self, ticks: int) -> None:
        if not -(2**63) <= ticks < 2**63:
            # mscorlib.txt Overflow_TimeSpanTooLong
            raise net_error("System.OverflowException", "TimeSpan overflowed because the duration is too long.")
        self.ticks = ticks

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeSpan) and other.ticks == self.ticks

    def __hash__(self) -> int:
        return hash(self.ticks)

    def __lt__(self, other: TimeSpan) -> bool:
        return self.ticks < other.ticks

    def __le__(self, other: TimeSpan) -> bool:
        return self.ticks <= other.ticks

    def __gt__(self, other: TimeSpan) -> bool:
        return self.ticks > other.ticks

    def __ge__(self, other: TimeSpan) -> bool:
        return self.ticks >= other.ticks

    def __repr__(self) -> str:
        return f"TimeSpan({self.to_string()})"

    def to_string(self) -> str:
        """TimeSpan.ToString(): ``[-][d.]hh:mm:ss[.fffffff]``."""
        ticks = abs(self.ticks)
        days, rest = divmod(ticks, TICKS_PER_DAY)
        hours, rest = divmod(rest, TICKS_PER_HOUR)
        minutes, rest = divmod(rest, TICKS_PER_MINUTE)
        seconds, fraction = divmod(rest, TICKS_PER_SECOND)
        text = ("-" if self.ticks < 0 else "") + (f"{days}." if days else "") + f"{hours:02}:{minutes:02}:{seconds:02}"
        return text + (f".{fraction:07}" if fraction else "")

    def _part(self, unit: int, modulus: int) -> int:
        whole = abs(self.ticks) // unit % modulus
        return -whole if self.ticks < 0 else whole

    @staticmethod
    @constructor("System.Int64")
    def _from_ticks(_host: Any, ticks: int) -> TimeSpan:
        return TimeSpan(ticks)

    @staticmethod
    @constructor("System.Int32", "System.Int32", "System.Int32")
    def _hms(_host: Any, hours: int, minutes: int, seconds: int) -> TimeSpan:
        return TimeSpan((hours * 3600 + minutes * 60 + seconds) * TICKS_PER_SECOND)

    @staticmethod
    @constructor("System.Int32", "System.Int32", "System.Int32", "System.Int32")
    def _dhms(_host: Any, days: int, hours: int, minutes: int, seconds: int) -> TimeSpan:
        return TimeSpan(((days * 24 + hours) * 3600 + minutes * 60 + seconds) * TICKS_PER_SECOND)

    @staticmethod
    @constructor("System.Int32", "System.Int32", "System.Int32", "System.Int32", "System.Int32")
    def _dhmsm(_host: Any, days: int, hours: int, minutes: int, seconds: int, millis: int) -> TimeSpan:
        total = ((days * 24 + hours) * 3600 + minutes * 60 + seconds) * 1000 + millis
        return TimeSpan(total * TICKS_PER_MS)

    @staticmethod
    @prop("Zero", static_member=True)
    def _zero(_host: Any) -> TimeSpan:
        return TimeSpan(0)

    @staticmethod
    @prop("MaxValue", static_member=True)
    def _max(_host: Any) -> TimeSpan:
        return TimeSpan(2**63 - 1)

    @staticmethod
    @prop("MinValue", static_member=True)
    def _min(_host: Any) -> TimeSpan:
        return TimeSpan(-(2**63))

    @staticmethod
    @static_method("FromTicks", "System.Int64")
    def _ticks_of(_host: Any, value: int) -> TimeSpan:
        return TimeSpan(value)

    @staticmethod
    @static_method("FromMilliseconds", "System.Double")
    def _ms_of(_host: Any, value: float) -> TimeSpan:
        return TimeSpan(_round_to_ms(value, 1))

    @staticmethod
    @static_method("FromSeconds", "System.Double")
    def _seconds_of(_host: Any, value: float) -> TimeSpan:
        return TimeSpan(_round_to_ms(value, 1000))

    @staticmethod
    @static_method("FromMinutes", "System.Double")
    def _minutes_of(_host: Any, value: float) -> TimeSpan:
        return TimeSpan(_round_to_ms(value, 60_000))

    @staticmethod
    @static_method("FromHours", "System.Double")
    def _hours_of(_host: Any, value: float) -> TimeSpan:
        return TimeSpan(_round_to_ms(value, 3_600_000))

    @staticmethod
    @static_method("FromDays", "System.Double")
    def _days_of(_host: Any, value: float) -> TimeSpan:
        return TimeSpan(_round_to_ms(value, 86_400_000))

    @staticmethod
    @static_method("Parse", "System.String")
    def _parse(_host: Any, text: str | None) -> TimeSpan:
        return parse_time_span(text)

    @staticmethod
    @static_method("Compare", "System.TimeSpan", "System.TimeSpan")
    def _compare(_host: Any, left: TimeSpan, right: TimeSpan) -> int:
        return (left.ticks > right.ticks) - (left.ticks < right.ticks)

    @prop("Ticks")
    def _get_ticks(self) -> TypedInt:
        return TypedInt(self.ticks, "System.Int64")

    @prop("Days")
    def _days(self) -> int:
        return self._part(TICKS_PER_DAY, 2**64)

    @prop("Hours")
    def _hours(self) -> int:
        return self._part(TICKS_PER_HOUR, 24)

    @prop("Minutes")
    def _minutes(self) -> int:
        return self._part(TICKS_PER_MINUTE, 60)

    @prop("Seconds")
    def _seconds(self) -> int:
        return self._part(TICKS_PER_SECOND, 60)

    @prop("Milliseconds")
    def _milliseconds(self) -> int:
        return self._part(TICKS_PER_MS, 1000)

    @prop("TotalDays")
    def _total_days(self) -> float:
        return self.ticks / TICKS_PER_DAY

    @prop("TotalHours")
    def _total_hours(self) -> float:
        return self.ticks / TICKS_PER_HOUR

    @prop("TotalMinutes")
    def _total_minutes(self) -> float:
        return self.ticks / TICKS_PER_MINUTE

    @prop("TotalSeconds")
    def _total_seconds(self) -> float:
        return self.ticks / TICKS_PER_SECOND

    @prop("TotalMilliseconds")
    def _total_milliseconds(self) -> float:
        return self.ticks / TICKS_PER_MS

    @method("Add", "System.TimeSpan")
    def _add(self, other: TimeSpan) -> TimeSpan:
        return TimeSpan(self.ticks + other.ticks)

    @method("Subtract", "System.TimeSpan")
    def _subtract(self, other: TimeSpan) -> TimeSpan:
        return TimeSpan(self.ticks - other.ticks)

    @method("Negate")
    def _negate(self) -> TimeSpan:
        return TimeSpan(-self.ticks)

    @method("Duration")
    def _duration(self) -> TimeSpan:
        return TimeSpan(abs(self.ticks))

    @method("ToString")
    def _to_string(self) -> str:
        return self.to_string()

    @method("ToString", "System.String", since=CLR4)
    def _to_string_format(self, text: str | None) -> str:
        if text in (None, "", "c", "t", "T"):
            return self.to_string()
        raise NotModelled(f"TimeSpan.ToString({text!r}): only the constant formats c, t and T")

    @method("CompareTo", "System.TimeSpan")
    def _compare_to(self, other: TimeSpan) -> int:
        return TimeSpan._compare(None, self, other)

    @method("Equals", "System.Object")
    def _equals(self, other: Any) -> bool:
        return self == other


# -- formatting -------------------------------------------------------------------------------------------------


def _standard_pattern(letter: str, culture: CultureData) -> tuple[str, bool] | None:
    """The custom pattern of a standard format letter, and whether the value is converted to UTC first ('U')."""
    patterns = {
        "d": culture.short_date,
        "D": culture.long_date,
        "f": culture.long_date + " " + culture.short_time,
        "F": culture.full_date_time,
        "g": culture.short_date + " " + culture.short_time,
        "G": culture.short_date + " " + culture.long_time,
        "m": culture.month_day,
        "M": culture.month_day,
        "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        "t": culture.short_time,
        "T": culture.long_time,
        "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        "U": culture.full_date_time,
        "y": culture.year_month,
        "Y": culture.year_month,
    }
    pattern = patterns.get(letter)
    return None if pattern is None else (pattern, letter == "U")


def format_datetime(value: DateTime, text: str, culture: CultureData) -> str:
    """DateTime.ToString(format, provider)."""
    if len(text) == 1:
        standard = _standard_pattern(text, culture)
        if standard is None:
            raise _format_error()
        pattern, universal = standard
        if text in "rRoOsu":
            from .globalization import culture_data

            culture = culture_data("")  # these patterns always use the invariant culture's names
        return _format_custom(value.to_universal() if universal else value, pattern, culture)
    return _format_custom(value, text, culture)


def _repeat(text: str, index: int) -> int:
    count = 1
    while index + count < len(text) and text[index + count] == text[index]:
        count += 1
    return count


def _offset_text(value: DateTime, count: int) -> str:
    offset = 0 if value.kind == "Utc" else local_offset_ticks()
    sign = "-" if offset < 0 else "+"
    minutes_total = abs(offset) // TICKS_PER_MINUTE
    hours, minutes = divmod(minutes_total, 60)
    if count == 1:
        return f"{sign}{hours}"
    if count == 2:
        return f"{sign}{hours:02}"
    return f"{sign}{hours:02}:{minutes:02}"


def _format_custom(value: DateTime, text: str, culture: CultureData) -> str:
    moment = value.as_python()
    fraction = value.ticks % TICKS_PER_SECOND
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        count = _repeat(text, index)
        if char in "'\"":
            end = text.find(char, index + 1)
            if end < 0:
                # mscorlib.txt Format_BadQuote
                raise net_error(
                    "System.FormatException", f"Cannot find a matching quote character for the character '{char}'."
                )
            out.append(text[index + 1 : end].replace("\\" + char, char))
            index = end + 1
            continue
        if char == "%":
            if index + 1 >= len(text) or text[index + 1] == "%":
                raise _format_error()
            out.append(_format_custom(value, text[index + 1], culture) if text[index + 1] not in "'\"" else "")
            index += 2
            continue
        if char == "\\":
            if index + 1 >= len(text):
                raise _format_error()
            out.append(text[index + 1])
            index += 2
            continue
        index += count
        if char == "d":
            if count <= 2:
                out.append(f"{moment.day:0{count}}")
            else:
                weekday = (moment.weekday() + 1) % 7
                out.append(culture.abbreviated_day(weekday) if count == 3 else culture.days[weekday])
        elif char == "M":
            if count <= 2:
                out.append(f"{moment.month:0{count}}")
            else:
                out.append(culture.abbreviated_month(moment.month) if count == 3 else culture.months[moment.month - 1])
        elif char == "y":
            out.append(
                f"{moment.year % 100}"
                if count == 1
                else f"{moment.year % 100:02}"
                if count == 2
                else f"{moment.year:0{count}}"
            )
        elif char == "h":
            out.append(f"{(moment.hour % 12) or 12:0{min(count, 2)}}")
        elif char == "H":
            out.append(f"{moment.hour:0{min(count, 2)}}")
        elif char == "m":
            out.append(f"{moment.minute:0{min(count, 2)}}")
        elif char == "s":
            out.append(f"{moment.second:0{min(count, 2)}}")
        elif char in "fF":
            if count > 7:
                raise _format_error()
            digits = f"{fraction:07}"[:count]
            if char == "F":
                digits = digits.rstrip("0")
                if not digits and out and out[-1].endswith("."):
                    out[-1] = out[-1][:-1]
            out.append(digits)
        elif char == "t":
            designator = culture.am if moment.hour < 12 else culture.pm
            out.append(designator[:1] if count == 1 else designator)
        elif char == "g":
            out.append("A.D.")
        elif char == "z":
            out.append(_offset_text(value, count))
        elif char == "K":
            out.append("Z" if value.kind == "Utc" else _offset_text(value, 3) if value.kind == "Local" else "")
        elif char == ":":
            out.append(culture.time_separator * count)
        elif char == "/":
            out.append(culture.date_separator * count)
        else:
            out.append(char * count)
    return "".join(out)
