"""The one route under MEDIA_URL: people's avatars, to signed-in users.

viewflow's profile page stores an avatar as ``avatars/<user id>.png`` in the default storage
and shows it by ``default_storage.url()``. Everything else in the storage (evidence, proofs,
exports) is refused here: those files go out only through views that check the case.
"""

import re

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

AVATAR = re.compile(r"avatars/(?P<pk>[0-9]+)\.png")


@login_required
def media(request, name: str):
    if AVATAR.fullmatch(name) is None or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response
