"""System.Globalization.CultureInfo and the culture data formatting reads.

The cultures are those of .NET Framework 2.0-4.x on Windows Server 2003-2012 R2 (NumberFormatInfo and
DateTimeFormatInfo of each, as the Microsoft Learn pages of those classes list them for the invariant culture and
en-US). The current culture of a host is a lab setting (``HostState.culture``, default en-US: docs/lab.md); a culture
name the lab has no data for is refused (NotModelled) rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotModelled
from ..values import NetObject, constructor, net_type, prop, static
from ._runtime import argument_exception, current_host

__all__ = ["CultureData", "CultureInfo", "culture_data", "current_culture", "invariant_culture"]

_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)  # fmt: skip
_EN_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_DE_MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
    "Dezember",
)  # fmt: skip
_DE_DAYS = ("Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag")


@dataclass(frozen=True)
class CultureData:
    """The NumberFormatInfo and DateTimeFormatInfo values formatting uses."""

    name: str
    display_name: str
    lcid: int
    decimal_separator: str = "."
    group_separator: str = ","
    currency_symbol: str = "¤"
    currency_positive: int = 0  # NumberFormatInfo.CurrencyPositivePattern: 0 "$n", 3 "n $"
    currency_negative: int = 0  # CurrencyNegativePattern: 0 "($n)", 1 "-$n", 8 "-n $"
    percent_positive: int = 0  # PercentPositivePattern: 0 "n %", 1 "n%"
    percent_negative: int = 0  # PercentNegativePattern: 0 "-n %", 1 "-n%"
    short_date: str = "MM/dd/yyyy"
    long_date: str = "dddd, dd MMMM yyyy"
    short_time: str = "HH:mm"
    long_time: str = "HH:mm:ss"
    month_day: str = "MMMM dd"
    year_month: str = "yyyy MMMM"
    am: str = "AM"
    pm: str = "PM"
    date_separator: str = "/"
    time_separator: str = ":"
    months: tuple[str, ...] = _EN_MONTHS
    days: tuple[str, ...] = _EN_DAYS

    @property
    def full_date_time(self) -> str:
        return self.long_date + " " + self.long_time

    def abbreviated_month(self, month: int) -> str:
        return self.months[month - 1][:3]

    def abbreviated_day(self, day: int) -> str:
        return self.days[day][:3] if self.name != "de-DE" else self.days[day][:2]


_CULTURES = {
    "": CultureData("", "Invariant Language (Invariant Country)", 127),
    "en-US": CultureData(
        "en-US", "English (United States)", 1033, currency_symbol="$", short_date="M/d/yyyy",
        long_date="dddd, MMMM dd, yyyy", short_time="h:mm tt", long_time="h:mm:ss tt", month_day="MMMM dd",
        year_month="MMMM, yyyy",
    ),
    "en-GB": CultureData(
        "en-GB", "English (United Kingdom)", 2057, currency_symbol="£", currency_negative=1, percent_positive=1,
        percent_negative=1, short_date="dd/MM/yyyy", long_date="dd MMMM yyyy", month_day="dd MMMM",
        year_month="MMMM yyyy",
    ),
    "de-DE": CultureData(
        "de-DE", "German (Germany)", 1031, decimal_separator=",", group_separator=".", currency_symbol="€",
        currency_positive=3, currency_negative=8, percent_positive=0, percent_negative=0, short_date="dd.MM.yyyy",
        long_date="dddd, d. MMMM yyyy", month_day="dd MMMM", year_month="MMMM yyyy", am="", pm="",
        date_separator=".", months=_DE_MONTHS, days=_DE_DAYS,
    ),
}  # fmt: skip


def culture_data(name: str) -> CultureData:
    for key, data in _CULTURES.items():
        if key.lower() == name.lower():
            return data
    raise NotModelled(f"the culture {name!r} (the lab has data for: invariant, {', '.join(sorted(_CULTURES)[1:])})")


def current_culture() -> CultureData:
    """CultureInfo.CurrentCulture of the running process: the host's lab setting."""
    host = current_host()
    return culture_data(host.machine.culture if host is not None else "en-US")


def invariant_culture() -> CultureInfo:
    return CultureInfo(_CULTURES[""])


@net_type("System.Globalization.CultureInfo", interfaces=("System.IFormatProvider", "System.ICloneable"))
class CultureInfo(NetObject):
    """A culture: what the IFormatProvider arguments of ToString and Format are."""

    def __init__(self, data: CultureData) -> None:
        self.data = data

    @staticmethod
    @constructor("System.String")
    def _create(_host: object, name: str) -> CultureInfo:
        if name is None:
            raise argument_exception("Value cannot be null.", "name", "System.ArgumentNullException")
        if name.lower() not in {key.lower() for key in _CULTURES} and not _looks_like_culture(name):
            # mscorlib.txt Argument_InvalidCultureName (the .NET 2.0-3.5 text; 4.x: CultureNotFoundException)
            raise argument_exception(f"Culture name '{name}' is not supported.", "name")
        return CultureInfo(culture_data(name))

    @staticmethod
    @static("GetCultureInfo", "System.String")
    def _get(host: object, name: str) -> CultureInfo:
        return CultureInfo._create(host, name)

    @staticmethod
    @prop("InvariantCulture", static_member=True)
    def _invariant(_host: object) -> CultureInfo:
        return invariant_culture()

    @staticmethod
    @prop("CurrentCulture", static_member=True)
    def _current(_host: object) -> CultureInfo:
        return CultureInfo(current_culture())

    @prop("Name")
    def _name(self) -> str:
        return self.data.name

    @prop("DisplayName")
    def _display(self) -> str:
        return self.data.display_name

    @prop("LCID")
    def _lcid(self) -> int:
        return self.data.lcid

    def to_string(self) -> str:
        return self.data.name


def _looks_like_culture(name: str) -> bool:
    parts = name.split("-")
    return 1 <= len(parts) <= 3 and all(part.isalpha() and 2 <= len(part) <= 8 for part in parts)
