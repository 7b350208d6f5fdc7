"""A local OpenID Connect provider for the single sign-on tests, built with
django-oauth-toolkit's OIDC support (a test-only dependency), run as its own process with its
own settings and database: ``python -m tests.oidc_idp.serve PORT WORKDIR``."""
