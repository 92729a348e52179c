"""WSGI entry point: `gunicorn dashboard.wsgi:server`.

Importing this module builds the app (that is its purpose); nothing else imports it.
"""

from dashboard.core.settings import Settings
from dashboard.web.app import EXPLORER_KEY, create_app
from dashboard.web.serving import collect_between_requests, freeze_startup_objects, warm_static

# Under gunicorn --preload the master builds the app once, compresses the page's files, builds
# the look-ups (reading the prepared store: 0.8 s on the embedded data), and forks the workers,
# which share all three and start warm. A warm-up in each worker after the fork, as before, ran
# beside the first visitor's page and took CPU from it: on a machine it shares with the browser
# (the benchmarks) the first map came 0.5 s later. It runs here in this thread, not a background
# one: a thread does not survive a fork.
app = create_app(Settings.from_env(), warm_in_background=False)
server = app.server
warm_static(server)
server.extensions[EXPLORER_KEY].warm()
freeze_startup_objects()  # after the warm-up: what it built is frozen too, so workers share its pages
collect_between_requests(server)
