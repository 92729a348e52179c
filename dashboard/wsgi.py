"""WSGI entry point: `gunicorn dashboard.wsgi:server`.

Importing this module builds the app (that is its purpose); nothing else imports it.
"""

import sys

from dashboard.core.errors import InputError
from dashboard.core.settings import Settings
from dashboard.data.validation import DataValidationError
from dashboard.web.app import EXPLORER_KEY, create_app
from dashboard.web.serving import collect_between_requests, freeze_startup_objects, warm_static

# Under gunicorn --preload the master builds the app once, compresses the page's files, builds
# the look-ups (reading the prepared store: 0.8 s on the embedded data), and forks the workers,
# which share all three and start warm. A warm-up in each worker after the fork, as before, ran
# beside the first visitor's page and took CPU from it: on a machine it shares with the browser
# (the benchmarks) the first map came 0.5 s later. It runs here in this thread, not a background
# one: a thread does not survive a fork.
try:
    app = create_app(Settings.from_env(), warm_in_background=False)
except (InputError, DataValidationError) as exc:
    # A missing or corrupt data file: its one line (each problem's, for bad rows), not a traceback. Under
    # --preload this runs in gunicorn's master, which a SystemExit ends with this status before any worker starts.
    problems = [f"error: {p}" for p in exc.problems] if isinstance(exc, DataValidationError) else [f"error: {exc}"]
    suffix = [f"{len(exc.problems)} problem(s) found; nothing was loaded"] if isinstance(exc, DataValidationError) else []
    print("\n".join([*problems, *suffix]), file=sys.stderr, flush=True)
    raise SystemExit(2) from None
server = app.server
warm_static(server)
server.extensions[EXPLORER_KEY].warm()
freeze_startup_objects()  # after the warm-up: what it built is frozen too, so workers share its pages
collect_between_requests(server)
