"""Flask's signed session cookie, verified once per process rather than on every request.

Every request of a signed-in person sends the same cookie until the session changes (Flask sends a
new one only when the session is modified). Verifying it means building a serializer, deriving the
key, checking an HMAC, inflating and parsing tagged JSON: about a tenth of what an empty signed-in
page costs. Here a cookie this process has verified is kept under its exact text (signature included,
so only a cookie that passed the check can ever be found), with the time it was signed: a later
request with the same text gets a fresh session of the same values, as long as the cookie is still
within the session's lifetime, checked exactly as itsdangerous checks it. A session holding anything
but plain values (flashed messages are a list that Flask changes in place) is not kept. A change of
the secret key (or its fallbacks) is a different serializer and finds nothing kept under the old one.
"""
from __future__ import annotations

import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

_PLAIN = (str, int, float, bool, type(None))
_KEPT_MAX = 8192


class KeptSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers: dict[tuple, object] = {}
        self._verified: dict[tuple, tuple[tuple, int]] = {}

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (id(serializer), value)
        kept = self._verified.get(key)
        if kept is not None:
            items, signed_at = kept
            if 0 <= int(time.time()) - signed_at <= max_age:
                return self.session_class(items)
            self._verified.pop(key, None)  # pop: another thread may drop it at the same moment
            return self.session_class()  # expired, as itsdangerous would say
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(item, _PLAIN) for item in data.values()):
            if len(self._verified) >= _KEPT_MAX:
                self._verified.clear()
            self._verified[key] = (tuple(data.items()), int(signed_at.timestamp()))
        return self.session_class(data)
