"""gunicorn settings for Accountability, read from the same environment as Django.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

Every value can be overridden on the command line (`make serve` and the smoke test bind
their own ports). The proxies gunicorn believes about the scheme are the ones Django
believes (DJANGO_TRUSTED_PROXIES), so the two never disagree.
"""

import multiprocessing
import os

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
