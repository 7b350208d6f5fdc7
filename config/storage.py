"""Where uploaded files live: this machine's disk, or an S3-compatible bucket shared by nodes.

Either way no file has a public address. ``url()`` names the application's own route under
``MEDIA_URL``, and that route (``config.media``) serves only what the signed-in user may
see; evidence leaves only through the case's evidence view, which checks visibility and
audits the download. Bucket URLs (even pre-signed ones) are never handed to a browser.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend, its files addressed through the application."""

    default_acl = "private"
    querystring_auth = True
    file_overwrite = False

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))
