"""The project's settings with the benchmarks package installed as an app.

viewflow stores a flow in its rows by app label and path (``benchmarks/bare.BareFlow``) and
finds that app from the flow's module, so the bare flow's package must be an installed app.
It has no models, migrations or URLs: installing it adds nothing else.
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
