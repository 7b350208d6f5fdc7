"""Reference data (catalogue, matrix, severity grades, categories) edited in the admin.

One service records every configuration change, whichever app the row belongs to: the
sanctions admin uses the same one as the organisation's reference data.
"""

from violations.services.reference import reference_save

__all__ = ["reference_save"]
