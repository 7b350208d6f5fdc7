"""A local S3 server (moto's server mode) for the storage tests and the production smoke."""

import contextlib
import os
import socket
import time

HOST = "127.0.0.1"
# Its own port per machine user: S3_TEST_PORT (8109 unless set).
PORT = int(os.environ.get("S3_TEST_PORT", "8109"))
ENDPOINT = f"http://{HOST}:{PORT}"
CREDENTIALS = {"ACCESS_KEY_ID": "testing", "SECRET_ACCESS_KEY": "testing", "REGION": "us-east-1"}


def port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


@contextlib.contextmanager
def local_s3_server():
    """moto's S3 server on 127.0.0.1:8109 for as long as the block runs."""
    from moto.server import ThreadedMotoServer

    if port_open(HOST, PORT):
        raise RuntimeError(f"port {PORT} is taken: another local S3 server is running")
    server = ThreadedMotoServer(ip_address=HOST, port=PORT, verbose=False)
    server.start()
    deadline = time.monotonic() + 10
    while not port_open(HOST, PORT):
        if time.monotonic() > deadline:
            raise RuntimeError("the local S3 server did not start")
        time.sleep(0.05)
    try:
        yield ENDPOINT
    finally:
        server.stop()


def client():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        aws_access_key_id=CREDENTIALS["ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["REGION"],
    )


def storage_options(bucket: str) -> dict:
    """STORAGES['default'] as config/settings.py builds it from ACCOUNTABILITY_S3_*."""
    return {
        "BACKEND": "config.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": ENDPOINT,
            "region_name": CREDENTIALS["REGION"],
            "access_key": CREDENTIALS["ACCESS_KEY_ID"],
            "secret_key": CREDENTIALS["SECRET_ACCESS_KEY"],
            "location": "",
            "addressing_style": "path",
        },
    }
