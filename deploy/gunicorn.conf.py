"""gunicorn for bergen_rus (the web server; the PDF reports are made by the worker, deploy/bergen-rus-worker@.service).

    gunicorn -c deploy/gunicorn.conf.py            # what deploy/bergen-rus-web.service runs

What is left in a request is short: a page (under 100 ms rendered, a few ms from the cache), a PDF answered from the
reports cache, or the waiting page of a report being made; no request renders a PDF any more. So the workers are
threaded (a slow client or a slow database query holds one thread, not a whole process), and the timeout is short: a
request that takes more than 30 s is stuck, not working. Every value can be set from the environment.
"""

import multiprocessing
import os

wsgi_app = "bergen_rus.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes: two per core and one more, the usual rule for a web application that waits on its database. Threads: four
# per process, so that requests waiting for PostgreSQL or Redis do not hold a core.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# Seconds a request may take before its worker is restarted, a restart may take, and an idle keep-alive connection
# from nginx is kept open.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))

# A worker process is replaced after about this many requests, so that memory a library keeps is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10

# nginx on the same machine sets X-Forwarded-Proto and X-Forwarded-For (BEHIND_TLS_PROXY=1 makes Django trust them).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
