# Moved to config/settings.py; kept one release so a town's DJANGO_SETTINGS_MODULE=federation.settings still starts.
from config.settings import *  # noqa: F403
