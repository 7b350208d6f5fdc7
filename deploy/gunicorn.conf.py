"""gunicorn settings for Accountability, read from the same environment as Django.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

Every value can be overridden on the command line (`make serve` and the smoke test bind
their own ports). The proxies gunicorn believes about the scheme are the ones Django
believes (DJANGO_TRUSTED_PROXIES), so the two never disagree.
"""

import multiprocessing
import os

from gunicorn import glogging

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers with a few threads each: requests are short database round trips; PDF
# and bundle builds are CPU work that a thread would not speed up.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter), so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("DJANGO_TRUSTED_PROXIES", "")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The access log names the client as the proxy reported it (the header, not the peer).
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'


# The reporting portal (/speak-up/, docs/portal.md) promises its reporters that no address or
# user agent is kept with a report: its requests are logged without them. Every atom that
# could carry one (the peer, the referrer, the user agent, any request header or environ
# variable) reads "-" for a path under PORTAL_PREFIX.
PORTAL_PREFIX = "/speak-up/"


class PortalQuietLogger(glogging.Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if (environ.get("PATH_INFO") or "").startswith(PORTAL_PREFIX):
            for key in list(atoms):
                if key in ("h", "a", "f", "u") or key.endswith(("}i", "}e")):
                    atoms[key] = "-"
        return atoms


logger_class = PortalQuietLogger
