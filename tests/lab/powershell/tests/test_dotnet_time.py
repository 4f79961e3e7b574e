"""DateTime and TimeSpan: "Standard/Custom date and time format strings", DateTime.ToUniversalTime/ToLocalTime and
the Add methods' rounding to milliseconds (Microsoft Learn; referencesource mscorlib datetime.cs)."""

from __future__ import annotations

import pytest

from tests.lab.powershell.dotnet import running_on
from tests.lab.powershell.dotnet.globalization import culture_data
from tests.lab.powershell.dotnet.time import DateTime, TimeSpan, format_datetime, from_parts
from tests.lab.powershell.errors import NetException
from tests.lab.powershell.tests.dotnet_calls import call, get, host_for, static_call, static_get

EN = culture_data("en-US")
INVARIANT = culture_data("")
DE = culture_data("de-DE")
MOMENT = from_parts(2024, 3, 5, 14, 7, 9, 123)


@pytest.mark.parametrize(
    ("text", "culture", "expected"),
    [
        ("G", EN, "3/5/2024 2:07:09 PM"),
        ("G", INVARIANT, "03/05/2024 14:07:09"),
        ("G", DE, "05.03.2024 14:07:09"),
        ("yyyy-MM-dd'T'HH:mm:ss'Z'", INVARIANT, "2024-03-05T14:07:09Z"),
        ("o", INVARIANT, "2024-03-05T14:07:09.1230000"),
        ("s", EN, "2024-03-05T14:07:09"),
        ("u", EN, "2024-03-05 14:07:09Z"),
        ("r", DE, "Tue, 05 Mar 2024 14:07:09 GMT"),
        ("dddd, MMMM dd", EN, "Tuesday, March 05"),
        ("hh:mm tt FFFF", EN, "02:07 PM 123"),
        (r"HH\hmm", INVARIANT, "14h07"),
    ],
)
def test_formats(text: str, culture: object, expected: str) -> None:
    assert format_datetime(MOMENT, text, culture) == expected  # type: ignore[arg-type]


def test_bad_format_and_quote() -> None:
    """A single character that is no standard format: FormatException (Format_InvalidString); an unclosed quote:
    Format_BadQuote."""
    with pytest.raises(NetException) as bad:
        format_datetime(MOMENT, "q", EN)
    assert bad.value.message == "Input string was not in a correct format."
    with pytest.raises(NetException) as quote:
        format_datetime(MOMENT, "yyyy'x", EN)
    assert quote.value.message == "Cannot find a matching quote character for the character '''."


def test_to_string_uses_the_current_culture() -> None:
    """DateTime.ToString(): the "G" format of the current culture (a lab setting, en-US by default)."""
    machine = host_for().machine
    with running_on(host_for(machine=machine)):
        assert call(MOMENT, "System.DateTime", "ToString", types=()) == "3/5/2024 2:07:09 PM"
    machine.culture = "de-DE"
    with running_on(host_for(machine=machine)):
        assert call(MOMENT, "System.DateTime", "ToString", types=()) == "05.03.2024 14:07:09"


def test_universal_and_local_time() -> None:
    """ToUniversalTime treats Unspecified as local, ToLocalTime treats it as UTC; Kind follows; equality compares
    ticks only (DateTime.Equals)."""
    machine = host_for().machine
    machine.utc_offset_minutes = -300
    with running_on(host_for(machine=machine)):
        universal = call(MOMENT, "System.DateTime", "ToUniversalTime", types=())
        local = call(MOMENT, "System.DateTime", "ToLocalTime", types=())
    assert (universal.kind, universal.as_python().hour) == ("Utc", 19)
    assert (local.kind, local.as_python().hour) == ("Local", 9)
    assert DateTime(MOMENT.ticks, "Utc") == MOMENT


def test_add_rounds_to_milliseconds() -> None:
    """DateTime.Add(double value, int scale): the value in milliseconds, rounded half away from zero."""
    assert call(MOMENT, "System.DateTime", "AddSeconds", 0.0004, types=("System.Double",)) == MOMENT
    later = call(MOMENT, "System.DateTime", "AddDays", 1.5, types=("System.Double",))
    difference = call(later, "System.DateTime", "Subtract", MOMENT, types=("System.DateTime",))
    assert isinstance(difference, TimeSpan)
    assert get(difference, "System.TimeSpan", "TotalHours") == 36.0
    assert difference.to_string() == "1.12:00:00"


def test_now_and_properties() -> None:
    with running_on(host_for()):
        now = static_get(host_for(), "System.DateTime", "Now")
    assert now.kind == "Local"
    assert (get(MOMENT, "System.DateTime", "Year"), get(MOMENT, "System.DateTime", "Millisecond")) == (2024, 123)
    assert str(get(MOMENT, "System.DateTime", "DayOfWeek")) == "Tuesday"
    assert get(MOMENT, "System.DateTime", "Date") == from_parts(2024, 3, 5)


def test_timespan() -> None:
    """TimeSpan.FromSeconds rounds to milliseconds; ToString "[-][d.]hh:mm:ss[.fffffff]"; Days/Hours of a negative
    span are negative."""
    span = static_call(None, "System.TimeSpan", "FromSeconds", -90061.5, types=("System.Double",))
    assert span.to_string() == "-1.01:01:01.5000000"
    assert (get(span, "System.TimeSpan", "Days"), get(span, "System.TimeSpan", "Hours")) == (-1, -1)
    assert get(span, "System.TimeSpan", "TotalSeconds") == -90061.5
