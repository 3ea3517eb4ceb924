"""British English as the portal writes it: 2/12/2026, 24-hour times (Django's own en_GB has
02/12/2026 and "4 p.m.")."""

DATE_FORMAT = "j M Y"  # 2 Dec 2026
TIME_FORMAT = "H:i"  # 16:05
DATETIME_FORMAT = "j M Y, H:i"  # 2 Dec 2026, 16:05
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j/n/Y"  # 2/12/2026
SHORT_DATETIME_FORMAT = "j/n/Y H:i"  # 2/12/2026 16:05
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]  # the first shows values
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # the first is how inputs show a value (accounts/widgets.py)
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
