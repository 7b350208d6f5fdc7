"""Dates as the product shows them: one form on every page, in every form label and in
every language (the templates that write ``|date:"Y-m-d H:i"`` show the same), so a date
reads the same whoever prints the page."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "m-d"
YEAR_MONTH_FORMAT = "Y-m"
