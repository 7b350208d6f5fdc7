from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """collectstatic without the stray ``node_modules`` copy viewflow ships.

    viewflow's wheel carries a second roboto-fontface.css under ``node_modules`` whose font
    references point nowhere; with hashed names (whitenoise's manifest storage) collectstatic
    refuses such a file. The copy the pages use is ``viewflow/fonts/roboto/``.
    """

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "node_modules"]
