"""No settings: gunicorn's defaults (for the bare baseline route; gunicorn would otherwise read
./gunicorn.conf.py)."""
