from flask import Blueprint

# No url_prefix: the account pages live under /admin, the audit trail at /audit.
bp = Blueprint("admin", __name__)

from app.admin import routes  # noqa: E402,F401
