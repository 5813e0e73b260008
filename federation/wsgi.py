# Moved to config/wsgi.py; kept one release so a town's `gunicorn federation.wsgi` line still serves.
from config.wsgi import application  # noqa: F401
