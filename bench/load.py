"""Twenty staff at once on gunicorn and PostgreSQL (issue 15 §4, a load test).

Makes the database `fulian_load`, loads the demo town, adds staff users until there are
`--clients` distinct logins (a quarter town administrators, the rest village clerks, six of
them in 太坝村), and serves it with gunicorn on a free loopback port with the production
settings (DEBUG off; plain HTTP, so no redirect to HTTPS). Each staff member logs in through
/admin/login/ and for `--seconds` opens lists, searches, records, the home page and reports,
adds people, awards points, redeems at the same three households of 太坝村 as the others
(sometimes with a double click), and imports a small people roster (upload, preview,
confirm), as a browser would: forms read from the page, redirects followed, cookies kept.

Prints throughput, median and p95 latency, server errors (with the tracebacks from
gunicorn's log) and other errors; then runs points_check and compares every household's
balance and ledger, every goods' stock and the people and redemption counts with what the
clients say they did. A refused overspend (积分不足) is an answer, not an error.

    python bench/load.py [--clients 20] [--seconds 60]
"""

import argparse
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import fresh_postgres  # noqa: E402

PASSWORD = "zhanerxiang-demo"  # noqa: S105 - the demo users' published password (README)
HTTP_TIMEOUT = 30  # s, per request
THINK = 0.3  # s, the longest pause between two actions of one staff member
ARRIVALS = 10  # s: staff arrive over this time, not all in the same second
OPENING = 5  # awards of the largest rule to each busy household before the run, so that
# redemptions there both succeed and, as the balance runs down, are refused
AREA = "621229"  # not the demo town's 621228: new ID numbers never meet the demo's
# (action, weight) of what a staff member does next.
MIX = [("browse", 40), ("report", 8), ("add person", 8), ("award", 20), ("redeem", 19), ("import", 5)]


# ---------------------------------------------------------------- the server side (children)


def snapshot() -> dict:
    """What the ledgers say: each household's balance, ledger sum and lines; stock; counts."""
    from django.db.models import Count, Sum

    from federation.models import Household, Person
    from points.models import Goods, PointEntry, Redemption

    ledger = {
        row["household"]: (row["total"], row["lines"])
        for row in PointEntry.objects.values("household").annotate(total=Sum("points"), lines=Count("pk"))
    }
    return {
        "households": {
            str(pk): [balance, *ledger.get(pk, (0, 0))]
            for pk, balance in Household.objects.values_list("pk", "points_balance")
        },
        "stock": {str(pk): stock for pk, stock in Goods.objects.values_list("pk", "stock")},
        "people": Person.objects.count(),
        "redemptions": Redemption.objects.count(),
    }


def setup(clients: int) -> dict:
    """Build the database and say what each staff member may do (run in a child)."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Exists, OuterRef

    from bench.scale import page_urls
    from federation.core.models import StaffScope
    from federation.models import Household, Person
    from points.models import Goods, PointRule, RedemptionEvent
    from points.services import point_award

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # page_urls' RequestFactory
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # the manifest the pages' {% static %} needs

    User = get_user_model()
    town_admin, clerk = User.objects.get(username="town"), User.objects.get(username="taiba")
    town = clerk.staff_scope.town
    hot = clerk.staff_scope.villages.get()
    others = list(town.villages.exclude(pk=hot.pk).order_by("sort_order"))
    # Same password hash as the demo users: 20 PBKDF2 runs here would only cost time.
    admins = [town_admin]
    clerks = [clerk]
    for n in range(2, clients // 4 + 1):
        admins.append(User.objects.create(username=f"town{n}", is_staff=True, password=town_admin.password))
        admins[-1].groups.set(town_admin.groups.all())
        StaffScope.objects.create(user=admins[-1], town=town, town_wide=True)
    for n in range(2, clients - len(admins) + 1):
        user = User.objects.create(username=f"clerk{n}", is_staff=True, password=clerk.password)
        user.groups.set(clerk.groups.all())
        scope = StaffScope.objects.create(user=user, town=town, town_wide=False)
        scope.villages.set([hot if n <= 6 else others[(n - 7) % len(others)]])
        clerks.append(user)

    resident = Person.objects.filter(household=OuterRef("pk"), status="resident")
    largest = PointRule.objects.filter(town=town, active=True).order_by("-points", "pk").first()
    villages = {}
    for village in [hot, *others]:
        households = Household.objects.filter(village=village).filter(Exists(resident))
        # The three richest households are where everyone redeems: shortfalls and races.
        busy = list(households.select_related("village").order_by("-points_balance", "pk")[:3])
        for household in busy:
            for _ in range(OPENING):
                point_award(household=household, rule=largest, day=date(2024, 12, 31), by=None, note="负载测试")
        villages[village.pk] = {
            "name": village.name,
            "event": RedemptionEvent.objects.filter(village=village).order_by("-date", "-pk").first().pk,
            "busy": [
                [h.pk, list(Person.objects.filter(household=h, status="resident").values_list("pk", flat=True))]
                for h in busy
            ],
            "households": list(households.order_by("pk").values_list("pk", flat=True)[:40]),
        }
    staff = []
    for user in admins + clerks:
        scope = user.staff_scope
        mine = [hot.pk] if scope.town_wide else list(scope.villages.values_list("pk", flat=True))
        person = Person.objects.filter(village_id=mine[0]).order_by("pk").first()
        staff.append(
            {
                "username": user.username,
                # A town administrator works everywhere but redeems where the queue is: 太坝村.
                "home": mine[0],
                "villages": [hot.pk, *[v.pk for v in others]] if scope.town_wide else mine,
                "pages": page_urls(user, "王", person.id_number),
            }
        )
    return {
        "staff": staff,
        "villages": villages,
        "rules": list(PointRule.objects.filter(town=town, active=True).values_list("pk", "points")),
        "goods": list(Goods.objects.filter(town=town, active=True).values_list("pk", "points_price")),
        "before": snapshot(),
    }


def check() -> dict:
    """points_check and the ledgers after the run (run in a child)."""
    import io

    import django

    django.setup()
    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("points_check", stdout=out)
        clean = True
    except SystemExit:  # points_check exits 1 on a mismatch
        clean = False
    return {"points_check": out.getvalue().strip(), "clean": clean, "after": snapshot()}


# ---------------------------------------------------------------- the clients (HTTP only)


class Forms(HTMLParser):
    """Every <form> of a page with what a browser would send untouched, and select options."""

    def __init__(self, page: str):
        super().__init__()
        self.forms, self.select, self.textarea = [], None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": {}, "options": {}})
        elif not self.forms:
            return
        fields, options = self.forms[-1]["fields"], self.forms[-1]["options"]
        if tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "button", "file", "image"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                fields[a["name"]] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            options[self.select] = []
        elif tag == "option" and self.select:
            options[self.select].append(a.get("value", ""))
            if "selected" in a or self.select not in fields:  # no selection: the first option
                fields[self.select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            self.forms[-1]["fields"][self.textarea] += data

    def having(self, name: str) -> dict:
        form = next((f for f in self.forms if name in f["fields"]), None)
        if form is None:
            raise Unexpected(f"no form with {name}")
        return form


class Unexpected(Exception):
    """A page that is not what a browser expects here; the action stops."""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []  # (action, method, path, status or None, seconds)
        self.problems = []  # (action, what)

    def record(self, action, method, path, status, seconds):
        with self.lock:
            self.requests.append((action, method, path, status, seconds))

    def problem(self, action, what):
        with self.lock:
            self.problems.append((action, what))


_serial = itertools.count()  # next() is atomic: one ID number per call across threads
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴", "秀英桂兰芳玉梅建国强军华明"


def new_id_number(male: bool) -> str:
    n = next(_serial)
    born = date(1950, 1, 1) + timedelta(days=n // 50)
    first17 = f"{AREA}{born:%Y%m%d}{(n % 50) * 2 + male:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def new_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(2))


def multipart(fields: dict, file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: text/csv\r\n\r\n"
    ).encode() + content
    body += f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Staff(threading.Thread):
    """One staff member in a browser: her own cookies, one action after another."""

    def __init__(self, n, me, plan, port, stats, deadline):
        super().__init__(daemon=True)
        self.me, self.plan, self.port, self.stats, self.deadline = me, plan, port, stats, deadline
        self.rng = random.Random(n)
        self.cookies = {}
        self.action = "login"
        # What she saw succeed: the ledger must show exactly this.
        self.points = Counter()  # household -> points (+award, -redemption)
        self.lines = Counter()  # household -> ledger lines written
        self.stock = Counter()  # goods -> change
        self.people = self.imports = self.awards = self.redemptions = self.double_clicks = 0
        self.refused_deductions = self.refused_redemptions = 0
        self.unknown = []  # POSTs whose outcome she never saw (timeout, 5xx): not counted

    # -- HTTP
    def request(self, method, path, body=None, content_type=None):
        path = quote(path, safe="/?&=%:+,")  # as a browser sends 王 in a search
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
        except OSError as error:
            self.stats.record(self.action, method, path, None, time.perf_counter() - started)
            raise Unexpected(f"{method} {path}: {error!r}") from None
        finally:
            connection.close()
        self.stats.record(self.action, method, path, response.status, time.perf_counter() - started)
        # Cookies are Secure (production): this browser sends them over loopback HTTP anyway.
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status >= 500:
            raise Unexpected(f"{method} {path}: HTTP {response.status}")
        return response.status, response.getheader("Location", ""), page

    def get(self, path, expect=200):
        status, location, page = self.request("GET", path)
        if status != expect:
            raise Unexpected(f"GET {path}: HTTP {status}")
        return page

    def post(self, path, fields):
        return self.request("POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def follow(self, location):
        if location:
            self.get(location)

    # -- actions
    def login(self):
        form = Forms(self.get("/admin/login/")).having("csrfmiddlewaretoken")["fields"]
        form.update(username=self.me["username"], password=PASSWORD, next="/admin/")
        status, location, _ = self.post("/admin/login/", form)
        if status != 302:
            raise Unexpected(f"login of {self.me['username']}: HTTP {status}")
        self.follow(location)

    def browse(self):
        pages = [url for label, url in self.me["pages"] if not label.startswith("report")]
        url = self.rng.choice(pages)
        page = self.get(url)
        links = re.findall(r'href="(/admin/\w+/\w+/\d+/change/)[^"]*"', page)
        if links and self.rng.random() < 0.5:
            link = self.rng.choice(links)
            status, _, _ = self.request("GET", link)
            if status != 200:
                raise Unexpected(f"{self.me['username']}: GET {link}, linked from {url}: HTTP {status}")

    def report(self):
        reports = [url for label, url in self.me["pages"] if label.startswith("report")]
        self.get(self.rng.choice(reports) if reports else "/admin/reports/")

    def add_person(self):
        url = "/admin/federation/person/add/"
        form = Forms(self.get(url))
        fields = form.having("id_number")["fields"]
        villages = [v for v in form.having("id_number")["options"]["village"] if v]
        male = self.rng.random() < 0.5
        fields.update(
            name=new_name(self.rng),
            id_number=new_id_number(male),
            phone=f"138{self.rng.randrange(10**8):08d}",
            village=self.rng.choice(villages),
            _save="保存",
        )
        status, location, page = self.post(url, fields)
        if status != 302:
            raise Unexpected(f"person not added: {errors_of(page)}")
        self.people += 1
        self.follow(location)

    def village(self, home_only=False):
        return self.plan["villages"][str(self.me["home"] if home_only else self.rng.choice(self.me["villages"]))]

    def award(self):
        village = self.village(home_only=self.rng.random() < 0.6)
        busy = [pk for pk, _ in village["busy"]]
        household = self.rng.choice(busy if self.rng.random() < 0.7 else village["households"])
        rule, points = self.rng.choice(self.plan["rules"])
        url = "/admin/points/pointentry/add/"
        fields = Forms(self.get(url)).having("rule")["fields"]
        fields.update(household=household, rule=rule, person="", _save="保存")
        try:
            status, location, page = self.post(url, fields)
        except Unexpected:
            self.unknown.append(f"award {points} to household {household}")
            raise
        if status != 302:
            raise Unexpected(f"award refused by the form: {errors_of(page)}")
        if location.endswith("/add/"):  # a deduction the balance cannot take: said on the page
            self.refused_deductions += 1
            if "积分不足" not in self.get(location):
                raise Unexpected("a refused deduction without its message")
        else:
            self.points[household] += points
            self.lines[household] += 1
            self.awards += 1
            self.follow(location)

    def redeem(self):
        village = self.village(home_only=True)
        household, people = self.rng.choice(village["busy"])
        url = f"/admin/points/redemptionevent/{village['event']}/redeem/"
        fields = Forms(self.get(url)).having("token")["fields"]
        basket = Counter({pk: self.rng.choice((1, 1, 2)) for pk, _ in self.rng.sample(self.plan["goods"], 2)})
        if self.rng.random() < 0.7:
            basket.popitem()
        fields.update(household=household, person=self.rng.choice(people))
        fields.update({f"goods_{pk}": quantity for pk, quantity in basket.items()})
        double = self.rng.random() < 0.2
        answers = [None, None]

        def submit(i):
            try:
                answers[i] = self.post(url, fields)
            except Unexpected as error:
                answers[i] = error

        if double:  # two submissions of the same form (token) at the same time
            other = threading.Thread(target=submit, args=(1,))
            other.start()
            submit(0)
            other.join(HTTP_TIMEOUT + 5)
        else:
            submit(0)
        answers = [a for a in answers if a is not None]
        if any(isinstance(a, Unexpected) for a in answers):
            self.unknown.append(f"redemption at household {household}")
            raise next(a for a in answers if isinstance(a, Unexpected))
        done = [a for a in answers if a[0] == 302]
        short = [a for a in answers if a[0] == 200 and "不足" in errors_of(a[2])]
        if len(done) + len(short) != len(answers) or (done and short):
            raise Unexpected(f"redemption: {[(a[0], errors_of(a[2])) for a in answers]}")
        if short:
            self.refused_redemptions += 1
            return
        prices = dict(self.plan["goods"])
        self.points[household] -= sum(prices[pk] * quantity for pk, quantity in basket.items())
        self.lines[household] += 1
        self.redemptions += 1
        self.double_clicks += double
        for pk, quantity in basket.items():
            self.stock[pk] -= quantity
        self.follow(done[0][1])

    def import_roster(self):
        village = self.village()["name"]
        head, wife, girl = new_id_number(True), new_id_number(False), new_id_number(False)
        rows = ["姓名,公民身份号码,性别,出生日期,联系电话,村(社区),村民小组,户主身份证号,与户主关系"]
        for number, sex, relation in ((head, "男", "户主"), (wife, "女", "妻子"), (girl, "女", "女儿")):
            born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            rows.append(f"{new_name(self.rng)},{number},{sex},{born},,{village},1组,{head},{relation}")
        url = "/admin/federation/person/import/"
        self.get("/admin/federation/person/")
        fields = Forms(self.get(url)).having("csrfmiddlewaretoken")["fields"]
        body, content_type = multipart(fields, f"{village}花名册{next(_serial)}.csv", "\r\n".join(rows).encode())
        status, _, page = self.request("POST", url, body, content_type)
        token = re.search(r'name="token" value="([^"]+)"', page)
        if status != 200 or not token:
            raise Unexpected(f"import preview: HTTP {status} {errors_of(page)}")
        confirm = Forms(page).having("token")["fields"]
        confirm["confirm"] = "确认导入"
        try:
            status, location, page = self.post(url, confirm)
        except Unexpected:
            self.unknown.append(f"import of 3 people into {village}")
            raise
        if status != 302 or location.endswith("/import/"):
            raise Unexpected(f"import confirm: HTTP {status} {location} {errors_of(page)}")
        self.people += 3
        self.imports += 1
        self.follow(location)

    def run(self):
        time.sleep(self.rng.uniform(0, ARRIVALS))
        for _ in range(3):  # she tries again when the login page does not answer
            try:
                self.login()
                break
            except Unexpected as error:
                self.stats.problem("login", str(error))
        else:
            return
        actions = {
            "browse": self.browse,
            "report": self.report,
            "add person": self.add_person,
            "award": self.award,
            "redeem": self.redeem,
            "import": self.import_roster,
        }
        names, weights = zip(*MIX, strict=True)
        while time.monotonic() < self.deadline:
            self.action = self.rng.choices(names, weights)[0]
            try:
                actions[self.action]()
            except Unexpected as error:
                self.stats.problem(self.action, str(error))
            except Exception as error:  # noqa: BLE001 - a bench bug is counted, not a dead client
                self.stats.problem(self.action, f"client failed: {error!r}")
            time.sleep(self.rng.uniform(0, THINK))


def errors_of(page: str) -> str:
    """The error notes and field errors of a page, as text."""
    found = re.findall(r'<(p|div|ul|ol) class="(?:errornote|errorlist[^"]*|import-errors)"[^>]*>(.*?)</\1>', page, re.S)
    return " ".join(" ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()) for _, text in found)[:300]


# ---------------------------------------------------------------- the bench (parent)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child(flag: str, out: Path, env: dict, timeout: int, *extra: str) -> dict:
    subprocess.run([sys.executable, __file__, flag, str(out), *extra], env=env, check=True, timeout=timeout)
    return json.loads(out.read_text())


def stop(server: subprocess.Popen) -> None:
    """Gunicorn's own graceful stop, then its process group (it started it) if it lingers."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)


def tracebacks(log: str) -> list[str]:
    """Each logged error of the server, with its traceback."""
    blocks, current = [], None
    for line in log.splitlines():
        if re.match(r"(Internal Server Error|\[.*\] \[(ERROR|CRITICAL)\])|.*WORKER TIMEOUT", line):
            current = [line]
            blocks.append(current)
        elif current is not None and (
            line.startswith((" ", "Traceback")) or re.match(r"^\w[\w.]*(Error|Exception)", line)
        ):
            current.append(line)
        else:
            current = None
    return ["\n".join(block) for block in blocks]


def percentile(values, p):
    return values[min(len(values) - 1, max(0, round(p * len(values) + 0.5) - 1))]


def report(stats, clients, seconds_taken, log):
    requests = stats.requests
    times = sorted(r[4] * 1000 for r in requests)
    server_errors = [r for r in requests if r[3] is not None and r[3] >= 500]
    other = [r for r in requests if r[3] is None or 400 <= r[3] < 500]
    print(
        f"\n{len(requests)} requests in {seconds_taken:.1f} s: {len(requests) / seconds_taken:.1f} requests/s; "
        f"latency median {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms"
    )
    work = sorted(r[4] * 1000 for r in requests if r[0] != "login")
    if work:
        print(f"after logging in: median {statistics.median(work):.0f} ms, p95 {percentile(work, 0.95):.0f} ms")
    print(f"\n{'action':12s} {'requests':>8s} {'median':>8s} {'p95':>8s}")
    by_action = defaultdict(list)
    for action, *_, seconds in requests:
        by_action[action].append(seconds * 1000)
    for action, values in sorted(by_action.items()):
        values.sort()
        print(f"{action:12s} {len(values):8d} {statistics.median(values):6.0f}ms {percentile(values, 0.95):6.0f}ms")
    print(f"\nserver errors (5xx): {len(server_errors)}")
    for action, method, path, status, _ in server_errors[:20]:
        print(f"  {status} {method} {path} ({action})")
    print(f"other errors (4xx, no answer; pages not as expected): {len(other)}; {len(stats.problems)} actions stopped")
    for action, method, path, status, _ in other[:10]:
        print(f"  {status or 'no answer'} {method} {path} ({action})")
    for action, what in [p for p in stats.problems if "HTTP 5" not in p[1]][:10]:
        print(f"  {action}: {what}")
    for block in tracebacks(log)[:5]:
        print("\n" + block)

    def did(name):
        return sum(getattr(c, name) for c in clients)

    points, lines, stock = Counter(), Counter(), Counter()
    for c in clients:
        points.update(c.points)
        lines.update(c.lines)
        stock.update(c.stock)
    print(
        f"\nthe clients saw: {did('awards')} awards and deductions ({did('refused_deductions')} deductions "
        f"refused, balance short), {did('redemptions')} redemptions ({did('double_clicks')} of them submitted twice "
        f"at once; {did('refused_redemptions')} refused, balance or stock short), over {len(points)} households, "
        f"net {sum(points.values()):+d} points; {did('people')} people added ({did('imports')} roster imports of 3)"
    )
    unknown = [u for c in clients for u in c.unknown]
    if unknown:
        print(f"outcome never seen (not counted): {len(unknown)}: {', '.join(unknown[:10])}")
    return points, lines, stock


def compare(points, lines, stock, before, after) -> list[str]:
    """Every difference between what the clients did and what the ledgers hold."""
    differences = []
    for pk, (balance, ledger, count) in after["households"].items():
        was = before["households"].get(pk, [0, 0, 0])
        want = points.get(int(pk), 0)
        if (balance - was[0], ledger - was[1], count - was[2]) != (want, want, lines.get(int(pk), 0)):
            differences.append(
                f"household #{pk}: balance {balance - was[0]:+d}, ledger {ledger - was[1]:+d} in "
                f"{count - was[2]} lines; the clients did {want:+d} in {lines.get(int(pk), 0)} lines"
            )
    for pk, now in after["stock"].items():
        if now - before["stock"][pk] != stock.get(int(pk), 0):
            differences.append(f"goods #{pk}: stock {now - before['stock'][pk]:+d}, the clients took {stock[int(pk)]}")
    return differences


def environment(work: Path, url: str) -> dict:
    """The production settings as they are, over plain HTTP on loopback, in a temp dir."""
    # collectstatic writes into the temp dir, not the checkout (STATIC_ROOT is not read from
    # the environment).
    (work / "load_settings.py").write_text(
        f"from config.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(work / 'static')!r}\n"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": f"{work}{os.pathsep}{ROOT}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # No redirect to HTTPS; the cookies stay Secure and the clients send them anyway.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(work / "media"),
        "IMPORT_TMP_DIR": str(work / "imports"),
        "LOG_LEVEL": "WARNING",
    }


def ready(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/admin/login/")
        return connection.getresponse().status == 200
    except OSError:
        return False


def load(args, env: dict, plan: dict, work: Path):
    """Serve with gunicorn, let the staff work, stop gunicorn whatever happens."""
    port, log_path = free_port(), work / "gunicorn.log"
    server_cmd = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    # --preload: the workers fork with Django loaded, so the first answer means all are up.
    server_cmd += ["--workers", "3", "--threads", "4", "--timeout", "60", "--preload", "--chdir", str(ROOT)]
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen(
            server_cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    stats, clients = Stats(), []
    try:
        up_by = time.monotonic() + 30
        while not ready(port):
            if time.monotonic() > up_by or server.poll() is not None:
                raise RuntimeError(f"gunicorn did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        print(f"gunicorn on 127.0.0.1:{port}, 3 workers × 4 threads; {args.clients} staff for {args.seconds} s")
        begun = time.monotonic()
        deadline = begun + args.seconds
        clients = [Staff(n, me, plan, port, stats, deadline) for n, me in enumerate(plan["staff"])]
        for client in clients:
            client.start()
        for client in clients:
            client.join(max(1, deadline + 2 * HTTP_TIMEOUT + 10 - time.monotonic()))
        taken = time.monotonic() - begun
    finally:
        stop(server)
    still = [c.me["username"] for c in clients if c.is_alive()]
    if still:
        print(f"still waiting for an answer after the stop: {', '.join(still)}")
    return stats, clients, taken, log_path


def verify(clients, points, lines, stock, before: dict, after: dict) -> list[str]:
    print(f"\npoints_check: {after['points_check']}")
    differences = compare(points, lines, stock, before, after["after"])
    if not after["clean"]:
        differences.append("points_check: a balance or a stock is not the sum of its ledger (above)")
    for name, count in (("people", "people"), ("redemptions", "redemptions")):
        changed, seen = after["after"][count] - before[count], sum(getattr(c, name) for c in clients)
        if changed != seen:
            differences.append(f"{name}: {changed:+d} in the database, the clients saw {seen}")
    print("ledgers against the clients: " + ("nothing lost or doubled" if not differences else "DIFFERENCES"))
    for line in differences:
        print(f"  {line}")
    return differences


def run(args) -> None:
    url = fresh_postgres("fulian_load")
    if not url:
        return
    work = Path(tempfile.mkdtemp(prefix="fulian-load-"))
    env = environment(work, url)
    started = time.perf_counter()
    plan = child("--setup", work / "plan.json", env, 240, "--clients", str(args.clients))
    print(f"database, demo town, {len(plan['staff'])} staff and static files in {time.perf_counter() - started:.0f} s")
    stats, clients, taken, log_path = load(args, env, plan, work)
    log = log_path.read_text(errors="replace")
    points, lines, stock = report(stats, clients, taken, log)
    after = child("--check", work / "after.json", env, 60)
    differences = verify(clients, points, lines, stock, plan["before"], after)
    print(f"total {time.perf_counter() - started:.0f} s")
    if tracebacks(log) or differences:
        print(f"gunicorn's log kept: {log_path}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--setup", type=Path)
    parser.add_argument("--check", type=Path)
    args = parser.parse_args(argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["load"] else sys.argv[1:])
    if args.setup:
        args.setup.write_text(json.dumps(setup(args.clients)))
    elif args.check:
        args.check.write_text(json.dumps(check()))
    else:
        run(args)


if __name__ == "__main__":
    main()
