"""No page shows a person a link they may not follow: every link on every page of the route × role
walk (links go through ``url_if_allowed``/``can_visit``) answers that same person with something
other than 403. An auditor was shown the site's edit and import pages, which then refused them."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from tests.core.routes import ROLES_IN_ORDER, endpoint_rules, fill, route_values

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)[^"]*"')


def links_of(html: str) -> set[str]:
    """The app's own links on a page (path and query), not static files."""
    found = set()
    for href in HREF.findall(html):
        parts = urlsplit(unescape(href))
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def test_no_role_is_shown_a_link_that_refuses_it(app, db, make, login, world):
    values = route_values(db, make, world)
    urls = [fill(rule, values) for _, rule, _ in endpoint_rules(app, methods=("GET",))]
    refused = []
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
            for link in sorted(links_of(response.get_data(as_text=True))):
                if status(link) == 403:
                    refused.append(f"{role} on {url}: {link}")
    assert not refused, "links that answer 403 to the person they are shown to:\n" + "\n".join(sorted(set(refused)))
