"""Working-day calendars and deadline rules: reference data and date arithmetic that know
nothing of cases (the case clocks that use them live in ``violations``)."""
