"""The page chrome (top bar, navigation, language switch, user menu) is rendered once per language,
place, grants and badge, and kept (app/core/chrome.py): what differs per person or request — the
CSRF token, the page's own path, the user's name — must still be each page's own, and whatever the
key does not hold must never be served from another page."""
import re

from app.auth.models import RoleGrant

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _chrome(html: str) -> str:
    return html[html.index('<a class="skip"'):html.index("</header>")]


def test_two_people_with_the_same_grants_each_see_their_own_name_and_token(app, login, make, world):
    """Same site, same role, same page: the second is served from what the first rendered, yet its
    name, its CSRF token (the sign-out form works with it) and nothing of the first person's."""
    first = make.user("coordinator", world.site, display_name="周社工")
    second = make.user("coordinator", world.site, display_name='<b>"吴"</b>&amp;')
    pages = {}
    for user in (first, second):
        client = app.test_client()
        login(client, user)
        html = client.get("/home").get_data(as_text=True)
        pages[user.id] = (client, html)
    one, two = _chrome(pages[first.id][1]), _chrome(pages[second.id][1])
    assert "周社工" in one and "周社工" not in two
    assert "<summary>&lt;b&gt;&#34;吴&#34;&lt;/b&gt;&amp;amp;</summary>" in two and "<b>" not in two
    tokens = {uid: set(TOKEN.findall(_chrome(html))) for uid, (_c, html) in pages.items()}
    assert len(tokens[first.id]) == 1 and len(tokens[second.id]) == 1 and tokens[first.id] != tokens[second.id]
    # the token in the second person's chrome is their own: signing out with it works
    client, html = pages[second.id]
    (token,) = tokens[second.id]
    assert token in html.split("<header", 1)[0]  # the same token htmx sends (hx-headers)
    out = client.post("/auth/logout", data={"csrf_token": token}, no_csrf=True)
    assert out.status_code in (302, 303)
    assert client.get("/home").status_code in (302, 303)


def test_the_language_switch_returns_to_this_very_page_with_its_query_escaped(client, login, world):
    login(client, world.users["coordinator"])
    first = client.get("/home?tab=1").get_data(as_text=True)
    second = client.get('/home?q="><script>x</script>').get_data(as_text=True)
    assert 'name="next" value="/home?tab=1"' in first
    nxt = re.search(r'name="next" value="([^"]*)"', second).group(1)
    assert "<script>" not in second.split("<main")[0] and "&#34;&gt;&lt;script&gt;" in nxt


def test_navigation_follows_a_change_of_grants_at_once(client, db, login, make, world):
    user = make.user("volunteer", world.site, display_name="志愿者甲")
    login(client, user)
    before = _chrome(client.get("/home").get_data(as_text=True))
    assert "/children" not in before
    db.session.add(RoleGrant(user_id=user.id, role="coordinator", site_id=world.site.id))
    db.session.commit()
    after = _chrome(client.get("/home").get_data(as_text=True))
    assert 'href="/children"' in after and after != before
    db.session.query(RoleGrant).filter_by(user_id=user.id, role="coordinator").delete()
    db.session.commit()
    assert 'href="/children"' not in _chrome(client.get("/home").get_data(as_text=True))


def test_the_current_page_and_the_language_are_the_pages_own(client, login, world):
    login(client, world.users["coordinator"])
    home = _chrome(client.get("/home").get_data(as_text=True))
    sites = _chrome(client.get("/sites").get_data(as_text=True))
    assert re.search(r'href="/home"[^>]*aria-current="page"', home)
    assert not re.search(r'href="/home"[^>]*aria-current', sites)
    assert re.search(r'href="/sites"[^>]*aria-current="page"', sites)
    assert "退出登录" in home
    client.post("/auth/language", data={"locale": "en"})
    english = _chrome(client.get("/home").get_data(as_text=True))
    assert "Sign out" in english and "退出登录" not in english


def test_two_pages_of_one_area_each_mark_themselves(client, login, world):
    """Accounts and the audit trail are both the admin area's: each page marks its own item."""
    login(client, world.users["admin"])
    accounts = _chrome(client.get("/admin/users").get_data(as_text=True))
    trail = _chrome(client.get("/audit").get_data(as_text=True))
    assert re.search(r'href="/admin/users"[^>]*aria-current="page"', accounts)
    assert re.search(r'href="/audit"[^>]*aria-current="page"', trail)
    assert not re.search(r'href="/admin/users"[^>]*aria-current="page"', trail)


# --- a site's tab bars (kept_tabs) ---------------------------------------------------------------------
def _tabs(html: str) -> str:
    return html[html.index('<nav class="tabs sitetabs"'):html.index("</nav>", html.index('data-testid="sub-tabs"'))]


def test_a_sites_tabs_are_each_persons_own(app, db, login, make, world):
    """The same page of the same site: a coordinator's tabs offer the site's children and the hours
    to review, an auditor's (who may only look) do not, and a coordinator who becomes an auditor
    loses them at once."""
    site = world.site
    pages = {}
    for role in ("coordinator", "auditor"):
        client = app.test_client()
        login(client, world.users[role])
        pages[role] = (client, _tabs(client.get(f"/sites/{site.id}/volunteers").get_data(as_text=True)))
    coordinator, auditor = pages["coordinator"][1], pages["auditor"][1]
    for link in (f'href="/sites/{site.id}/children"', f'href="/sites/{site.id}/hours/pending"'):
        assert link in coordinator and link not in auditor
    assert re.search(r'href="/sites/\d+/volunteers"[^>]*aria-current="page"', auditor)
    user = world.users["coordinator"]
    db.session.query(RoleGrant).filter_by(user_id=user.id, role="coordinator").delete()
    db.session.add(RoleGrant(user_id=user.id, role="auditor", site_id=site.id))
    db.session.commit()
    client = pages["coordinator"][0]
    assert _tabs(client.get(f"/sites/{site.id}/volunteers").get_data(as_text=True)) == auditor


def test_a_sites_tabs_follow_its_name_the_page_and_the_language(client, db, login, world):
    site = world.site
    login(client, world.users["coordinator"])
    children = _tabs(client.get(f"/sites/{site.id}/children").get_data(as_text=True))
    assert f'aria-label="{site.name}"' in children
    assert re.search(r'href="/sites/\d+/children"[^>]*aria-current="page"', children)
    new = _tabs(client.get(f"/sites/{site.id}/children/new").get_data(as_text=True))
    assert re.search(r'href="/sites/\d+/children/new"[^>]*aria-current="page"', new)
    assert not re.search(r'href="/sites/\d+/children"[^>]*aria-current="page"', new)
    site.name = '新<i>名</i>"站"'
    db.session.commit()
    renamed = _tabs(client.get(f"/sites/{site.id}/children").get_data(as_text=True))
    assert "新&lt;i&gt;名&lt;/i&gt;&#34;站&#34;" in renamed and "<i>" not in renamed
    client.post("/auth/language", data={"locale": "en"})
    english = _tabs(client.get(f"/sites/{site.id}/children").get_data(as_text=True))
    assert "All children" in english and "全部儿童" not in english
