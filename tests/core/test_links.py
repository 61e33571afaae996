"""No page shows a person a link they may not follow: every link on every page of the route × role
walk (links go through ``url_if_allowed``/``can_visit``) answers that same person with something
other than 403 (an auditor was shown volunteers' pages and certificate PDFs that then refused them).
And no page repeats an id (a label or an error would point at another form's field)."""
from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import urlsplit

from tests.core.routes import ROLES_IN_ORDER, endpoint_rules, fill, route_values

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)[^"]*"')
ID = re.compile(r'<[a-zA-Z][^>]*?\sid="([^"]+)"')


def links_of(html: str) -> set[str]:
    """The app's own links on a page (path and query), not static files."""
    found = set()
    for href in HREF.findall(html):
        parts = urlsplit(unescape(href))
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def test_no_role_is_shown_a_link_that_refuses_it_nor_a_repeated_id(app, db, make, login, world):
    values = route_values(db, make, world)
    urls = [fill(rule, values) for _, rule, _ in endpoint_rules(app, methods=("GET",))]
    refused, repeated = [], []
    for role in ROLES_IN_ORDER:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        answers: dict[str, int] = {}

        def status(url):
            if url not in answers:
                answers[url] = client.get(url).status_code
            return answers[url]

        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            ids = Counter(ID.findall(html))
            repeated += [f"{role} on {url}: id={i} × {n}" for i, n in ids.items() if n > 1]
            for link in sorted(links_of(html)):
                if status(link) == 403:
                    refused.append(f"{role} on {url}: {link}")
    assert not repeated, "ids used more than once on a page:\n" + "\n".join(sorted(set(repeated)))
    assert not refused, "links that answer 403 to the person they are shown to:\n" + "\n".join(sorted(set(refused)))
