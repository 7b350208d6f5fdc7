from django.conf import settings


def single_sign_on(request):
    """The login page's "Sign in with ..." button, when single sign-on is configured."""
    if not settings.OIDC_ENABLED:
        return {}
    return {"single_sign_on": settings.OIDC_PROVIDER_NAME}
