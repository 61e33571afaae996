"""Real HTTP against ``live_server``, for tests of many requests at once (double taps, two tabs,
many volunteers): each ``HttpClient`` is a browser with its own cookies; ``race`` fires calls at
the same moment from threads (a barrier, no sleeps) and returns their results in order."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
FORM_TOKEN_RE = re.compile(r'name="form_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_token"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: str):
        self.status, self.headers, self.text = status, headers, body

    @property
    def location(self) -> str:
        return self.headers.get("Location", "") or self.headers.get("HX-Redirect", "")


class HttpClient:
    def __init__(self, base_url: str):
        self.base = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.csrf = ""

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if method == "POST" else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return Response(resp.status, resp.headers, resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read().decode("utf-8", "replace"))

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def page_tokens(self, path: str) -> tuple[str, str]:
        """(csrf_token, form_token) of the first form on the page at ``path``."""
        html = self.get(path).text
        csrf, form = CSRF_RE.search(html), FORM_TOKEN_RE.search(html)
        self.csrf = (csrf.group(1) or csrf.group(2)) if csrf else self.csrf
        return self.csrf, ((form.group(1) or form.group(2)) if form else "")

    def post(self, path: str, data: dict | None = None, *, htmx: bool = False) -> Response:
        if not self.csrf:
            self.page_tokens("/auth/login")
        data = {"csrf_token": self.csrf, **(data or {})}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.request("POST", path, data=data, headers=headers)

    def login(self, user, password: str = factories.PASSWORD) -> "HttpClient":
        self.page_tokens("/auth/login")
        response = self.post("/auth/login", {"login": user.username, "password": password})
        assert response.status == 303, (response.status, response.text[:300])
        self.page_tokens("/home")  # the signed-in session's CSRF token
        return self


def race(calls) -> list:
    """Run the callables at the same moment (one thread each); results (or raised errors) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=30)
        try:
            results[index] = call()
        except Exception as error:  # reported to the test as a result
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
