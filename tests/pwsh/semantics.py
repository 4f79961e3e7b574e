"""Where PowerShell 1.0, 2.0 and 3.0+ differ: one table for the static checks (tests/pwsh) and the lab's engine.

Each row names the first version that has the behaviour and the source that says so. ``has(feature, level)`` answers
for a host's level. The checks use the ``construct`` rows (a construct a lower level does not parse or know); the
engine uses every row (e.g. ``foreach`` over ``$null`` runs its body once before 3.0).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FEATURES", "Feature", "has"]

_ORDER = ("1.0", "2.0", "3.0", "4.0", "5.0", "7.0")

_SPEC2 = "Windows PowerShell Language Specification Version 2.0"
_SPEC3 = "Windows PowerShell Language Specification Version 3.0"
_NEW2 = "about_Windows_PowerShell_2.0 (What's new in Windows PowerShell 2.0)"
_NEW3 = "What's New in Windows PowerShell 3.0 (learn.microsoft.com, previous-versions)"


@dataclass(frozen=True)
class Feature:
    name: str
    since: str
    kind: str  # "construct" (syntax, operator, accelerator, variable) | "semantics" (how something behaves)
    source: str
    summary: str


FEATURES: dict[str, Feature] = {
    feature.name: feature
    for feature in (
        Feature("try_catch", "2.0", "construct", f"{_NEW2}; {_SPEC2} 8.10 (try/finally)", "try/catch/finally"),
        Feature("splatting", "2.0", "construct", f"{_NEW2}; about_Splatting", "@params splatting"),
        Feature("split_join", "2.0", "construct", f"{_NEW2}; about_Split, about_Join", "-split and -join"),
        Feature("block_comments", "2.0", "construct", f"{_NEW2}; about_Comments", "<# ... #> comments"),
        Feature("psversiontable", "2.0", "construct", f"{_NEW2}; about_Automatic_Variables", "$PSVersionTable"),
        Feature("advanced_functions", "2.0", "construct", f"{_NEW2}; about_Functions_Advanced", "[CmdletBinding()]"),
        Feature("data_sections", "2.0", "construct", f"{_NEW2}; about_Data_Sections", "data { } sections"),
        Feature("ordered", "3.0", "construct", f"{_NEW3}; about_Hash_Tables", "[ordered] dictionaries"),
        Feature("pscustomobject", "3.0", "construct", f"{_NEW3}; about_Type_Accelerators", "[pscustomobject]"),
        Feature("in_operator", "3.0", "construct", f"{_NEW3}; about_Comparison_Operators", "-in / -notin"),
        Feature("shift_operators", "3.0", "construct", f"{_NEW3}; about_Arithmetic_Operators", "-shl / -shr"),
        Feature("psitem", "3.0", "construct", f"{_NEW3}; about_Automatic_Variables", "$PSItem"),
        Feature(
            "member_enumeration",
            "3.0",
            "semantics",
            f"{_NEW3} (member enumeration); {_SPEC3} 7.1.2",
            "a property or method of an array's elements read through the array",
        ),
        Feature(
            "scalar_count",
            "3.0",
            "semantics",
            f"{_NEW3}; about_Properties (Count and Length on any object)",
            "Count and Length on a scalar (1) and on $null (0)",
        ),
        Feature(
            "foreach_skips_null",
            "3.0",
            "semantics",
            f"{_NEW3} (foreach no longer iterates over $null); {_SPEC2} 8.4.4",
            "foreach over $null runs no iteration (before 3.0: one, with $null)",
        ),
        Feature(
            "stop_keeps_exception",
            "3.0",
            "semantics",
            "about_Preference_Variables / about_CommonParameters; ActionPreferenceStopException (System.Management."
            "Automation reference): before 3.0 a non-terminating error made terminating by -ErrorAction Stop reaches "
            "trap/catch as ActionPreferenceStopException",
            "-ErrorAction Stop errors keep their own exception (before 3.0: ActionPreferenceStopException)",
        ),
    )
}


def has(feature: str, level: str) -> bool:
    """Whether a host of PowerShell ``level`` has ``feature``."""
    return _ORDER.index(level) >= _ORDER.index(FEATURES[feature].since)
