"""WSGI entry point: `gunicorn dashboard.wsgi:server`.

Importing this module builds the app (that is its purpose); nothing else imports it.
"""

from dashboard.core.settings import Settings
from dashboard.web.app import create_app

app = create_app(Settings.from_env())
server = app.server
