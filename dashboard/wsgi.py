"""WSGI entry point: `gunicorn dashboard.wsgi:server`.

Importing this module builds the app (that is its purpose); nothing else imports it.
"""

from dashboard.core.settings import Settings
from dashboard.web.app import create_app
from dashboard.web.serving import freeze_startup_objects, warm_static

# Under gunicorn --preload the master builds the app once, compresses the page's files, and
# forks the workers, which share both; each worker then warms its look-ups (gunicorn.conf.py,
# post_fork), never the master before the fork (a thread does not survive a fork).
app = create_app(Settings.from_env(), warm_in_background=False)
server = app.server
warm_static(server)
freeze_startup_objects()
