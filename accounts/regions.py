"""Countries and time zones for a workspace: names people recognise, and sensible defaults.

Countries are the regions phone numbers are read for (`phonenumbers`), named in the current
language ("United Kingdom (+44)") and sorted by name. A time zone's country comes from the
system's time-zone database (`zone.tab`), so a browser's time zone suggests the country too.
"""

import functools
import os
import unicodedata
import zoneinfo
from pathlib import Path

import phonenumbers
from django.utils.translation import get_language
from phonenumbers.geodata.locale import LOCALE_DATA

DEFAULT_TIME_ZONE = "Europe/London"
DEFAULT_COUNTRY = "GB"

# Regions phonenumbers reads numbers for but has no display name of.
_MISSING_NAMES = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every Area/Location zone the system knows, sorted (no bare "UTC" or "EST5EDT")."""
    return tuple(sorted(tz for tz in zoneinfo.available_timezones() if "/" in tz))


def is_time_zone(value: str) -> bool:
    return value in time_zones()


def _language() -> str:
    return (get_language() or "en").split("-")[0].lower()


def country_name(region: str, language: str | None = None) -> str:
    """The region's name in `language` (the current one by default), else in English."""
    names = LOCALE_DATA.get(region, {})
    for lang in (language or _language(), "en"):
        name = names.get(lang, "")
        while name.startswith("*"):  # "*aa": the same name as that language's
            name = names.get(name[1:], "")
        if name:
            return name
    return _MISSING_NAMES.get(region, region)


def _sort_key(name: str) -> str:
    """Sort "Åland Islands" with the A's and "Côte d'Ivoire" with the C's."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    labelled = [
        (region, country_name(region, language), phonenumbers.country_code_for_region(region))
        for region in phonenumbers.SUPPORTED_REGIONS
    ]
    labelled.sort(key=lambda item: (_sort_key(item[1]), item[0]))
    return tuple((region, f"{name} (+{code})") for region, name, code in labelled)


def country_choices() -> list[tuple[str, str]]:
    """(region, "United Kingdom (+44)") for every region, sorted by name in the current language."""
    return list(_country_choices(_language()))


def is_country(value: str) -> bool:
    return value in phonenumbers.SUPPORTED_REGIONS


@functools.cache
def _zone_countries() -> dict[str, str]:
    """{zone: region} from the first zone.tab on the time-zone path; empty if there is none."""
    for folder in zoneinfo.TZPATH:
        table = Path(folder) / "zone.tab"
        if table.is_file():
            break
    else:
        return {}
    countries = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            countries[fields[2]] = fields[0]
    return countries


def _canonical_zone(time_zone: str) -> str:
    """A zone's current name: browsers still answer old ones ("Asia/Calcutta"), which the
    database keeps as links to the new ("Asia/Kolkata")."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / time_zone
        if path.is_file():
            return os.path.relpath(path.resolve(), Path(folder).resolve())
    return time_zone


def country_for_time_zone(time_zone: str) -> str | None:
    """The region a time zone lies in ("Europe/Paris" -> "FR"), when phone numbers are read for
    it; None for zones of no single country ("Etc/UTC")."""
    if not is_time_zone(time_zone):
        return None
    countries = _zone_countries()
    region = countries.get(time_zone) or countries.get(_canonical_zone(time_zone))
    return region if region and is_country(region) else None


def settings_for_time_zone(time_zone: str) -> dict[str, str]:
    """A new workspace's time zone and country from a time zone the browser reported; the
    defaults when it reported nothing usable."""
    if not is_time_zone(time_zone):
        return {"time_zone": DEFAULT_TIME_ZONE, "default_country": DEFAULT_COUNTRY}
    return {
        "time_zone": time_zone,
        "default_country": country_for_time_zone(time_zone) or DEFAULT_COUNTRY,
    }
