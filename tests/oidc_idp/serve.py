"""Start the test identity provider: migrate a fresh database, make its people, groups and
the one client application, then serve (threaded WSGI) until killed.

    python -m tests.oidc_idp.serve PORT WORKDIR CLIENT_ID CLIENT_SECRET REDIRECT_URI
"""

import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

# name: (groups at the provider)
PEOPLE = {
    "alice": ["compliance-heads"],  # a case manager whose provider asked for a second factor
    "bob": ["compliance-heads"],  # a case manager signed in with a password only
    "carol": ["compliance-staff", "all-staff"],  # a compliance officer
    "dave": ["all-staff"],  # in no group the application maps
}


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    port, workdir, client_id, client_secret, redirect_uri = sys.argv[1:6]
    workdir_path = Path(workdir)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (workdir_path / "signing-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.environ["OIDC_IDP_WORKDIR"] = workdir
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_idp.settings"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for name, groups in PEOPLE.items():
        user = User.objects.create_user(
            name, f"{name}@idp.example", "idp-pw", first_name=name.title(), last_name="Idp"
        )
        for group in groups:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
    Application.objects.create(
        name="Accountability",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1",
        int(port),
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
