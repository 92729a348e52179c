"""gunicorn settings for production (`make serve-gunicorn`; docs/performance.md).

Workers and the address come from the command line (`--workers`, `--bind`); the app itself
takes its settings from DASHBOARD_* environment variables (dashboard/core/settings.py).
"""

preload_app = True  # the master reads and checks the data once, then forks: start-up is one build, not one per worker
worker_class = "sync"  # the callbacks are CPU-bound: one request per process, no threads to share the GIL
timeout = 120  # a worker silent this long is replaced: a board pack of 100 views takes a worker 40-45 s (docs/presentation.md)
graceful_timeout = 10
keepalive = 2
backlog = 512  # requests queued while every worker is busy (20 clients at once, in the load test)
accesslog = None  # no per-request log: volume without value here; errors still go to the error log
errorlog = "-"
loglevel = "warning"
proc_name = "cancer-variation-explorer"



def post_fork(_server, worker) -> None:
    """Each worker answers a few requests to itself before it serves anyone (dashboard/web/app.py,
    prime_worker): about 0.2 s, which visitors' first changes to that worker no longer wait."""
    from dashboard.web.app import prime_worker
    from dashboard.wsgi import app

    status = prime_worker(app)
    if status != 200:
        worker.log.warning("a request the worker made to itself was answered %s", status)
