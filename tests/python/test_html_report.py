"""The self-contained HTML report (Report.to_html), checked as text and in a real browser.

The Baijiantan report (embedded plan, ILLUSTRATIVE school data of
examples/baijiantan/illustrative_observations.csv, as of 2023-12-31) is written once; the browser test
opens it in headless Chromium with every network request sent to a local listener that records
connections (and names resolved to nothing), and requires that the page made none. CI installs
Debian's chromium; without it that test is skipped.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html as html_module
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import planeval

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
CSV = REPO_ROOT / "examples" / "baijiantan" / "illustrative_observations.csv"
AS_OF = datetime.date(2023, 12, 31)
NOTICE = (
    "示例数据：观测数据是为演示而虚构的学校数据，不是真实统计。",
    "Illustrative data: the observations are invented school data, not real statistics.",
)
TITLE_ZH = "白碱滩区（克拉玛依高新区）教育事业改革与发展“十四五”规划（2021-2025年）"


@pytest.fixture(scope="module")
def report() -> planeval.Report:
    plan = planeval.example_plan()
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    obs, _ = planeval.read_csv(plan, CSV)
    return plan.evaluate(obs, as_of=AS_OF, notices=[NOTICE])


@pytest.fixture(scope="module")
def html_file(report: planeval.Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "baijiantan.html"
    text = report.to_html(path, lang="zh")
    assert path.read_text(encoding="utf-8") == text
    return path


@pytest.fixture(scope="module")
def html(html_file: Path) -> str:
    return html_file.read_text(encoding="utf-8")


# --- as text -------------------------------------------------------------------------------------


def test_html_is_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    # nothing to fetch: no http(s) or protocol-relative src/href, no scripts (but planeval's own,
    # allowed by the CSP through its SHA-256 hash, computed here independently), no stylesheets
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", html, re.IGNORECASE)
    assert not re.findall(r"url\(\s*['\"]?\s*(?:https?:|//)", html, re.IGNORECASE)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 1 and "src" not in html[html.index("<script") : html.index("<script") + 8]
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html
    without = html.replace(f"<script>{scripts[0]}</script>", "")
    for forbidden in ("<script", "<link", "@import", "<iframe", "<object", "<embed", "<img"):
        assert forbidden not in without.lower(), forbidden
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # charts are inline SVG; a reasonable size
    assert html.count("<svg ") == 1 + 21  # the dashboard and 21 targets with values
    assert len(html.encode("utf-8")) < 3_000_000


def test_html_ids_are_unique_and_every_link_resolves(html: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', html)
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, sorted(duplicates)[:5]
    known = set(ids)
    refs = re.findall(r'href="#([^"]+)"', html) + re.findall(r"url\(#([^)]+)\)", html)
    assert refs
    assert not [r for r in refs if r not in known]


def test_html_has_every_part_of_the_report(report: planeval.Report, html: str) -> None:
    d = report.to_dict()
    # header: title, as_of, the notice
    assert f'<h1 id="title">{TITLE_ZH}</h1>' in html
    assert "2023-12-31" in html and NOTICE[0] in html
    # summary, phases, domains and stages
    for section in ("summary", "phases", "by-domain", "by-stage", "dashboard", "targets", "charts"):
        assert f'<section id="{section}">' in html
    assert "进度滞后 9" in html and "无数据 73" in html
    assert "第二阶段：稳中求进，优质均衡" in html and "教师队伍" in html and "幼儿园" in html
    # every target: a row with its status colour and sentence; the dashboard links to it
    for t in d["targets"]:
        assert f'<tr id="target-{t["id"]}" data-status="{t["status"]}">' in html
        assert f'xlink:href="#target-{t["id"]}"' in html or f'href="#target-{t["id"]}"' in html
    row = re.search(r'<tr id="target-t1_primary_assoc_senior"[^>]*>.*?</tr>', html, re.DOTALL)
    assert row is not None
    assert "#fdae61" in row.group(0) and "进度滞后" in row.group(0)  # lagging, on its colour
    # numbers with their unit as the report's sentence writes them (planeval._display.with_unit, the
    # C++ with_unit): a Chinese unit directly after the number, 41人 as in "2023 年为 41人"
    assert "41人" in row.group(0) and "47.6" in row.group(0) and "≥ 60人" in row.group(0)
    assert "41 人" not in row.group(0)
    assert "49.4" in row.group(0) and "预计未达成" in row.group(0)
    assert "按序时进度应达 47.6人，滞后 6.6人。" in row.group(0)
    # a chart for each target with values
    with_values = [t["id"] for t in d["targets"] if t["trace"]["points"]]
    assert len(with_values) == 21
    for tid in with_values:
        assert f'<figure id="chart-{tid}">' in html
    # the derived 党员教师占比 shows its formula with the numbers (100 × 396 / 900 = 44.0%)
    assert "派生公式: party_member_teacher_share = 100 × Σ(#{party_member_teacher_count})" in html
    assert "= 100 × 396 / 900 = 44.00（2023 年，13 个单位）" in html
    # the standard's reasons, data problems and the plan's conflicts
    assert "小学 小学戊（示例）：7 项指标中 5 项达标，少于 6 项" in html  # the school by name, not ps_5
    # the problem in words, its code kept in the tooltip
    assert '<span class="id" title="too_few_points">[数据点不足]</span>' in html
    assert "[too_few_points]" not in html
    for c in d["conflicts"]:
        assert c["id"] in html


def test_html_escapes_every_text(mini_text: str, tmp_path: Path) -> None:
    data = json.loads(mini_text)
    data["title"]["zh"] = '小规划 <script>alert("x")</script> & <b>'
    data["targets"][0]["source"]["phrase"] = "<img src=x>"
    data["conflicts"][0]["description"]["zh"] = "矛盾 <i>&amp;</i>"
    plan = planeval.parse_plan(json.dumps(data, ensure_ascii=False))
    report = plan.evaluate(as_of=AS_OF, notices=[("注意 <b>粗体</b>", "note <b>")])
    text = report.to_html(lang="zh", charts=False)
    assert text.count("<script") == 1  # planeval's own table script, last in the page
    assert "<script" not in text[: text.rindex("<script>")]
    assert "<b>粗体" not in text and "<i>" not in text and "<img" not in text
    assert "小规划 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in text
    assert "注意 &lt;b&gt;粗体&lt;/b&gt;" in text
    assert "矛盾 &lt;i&gt;&amp;amp;&lt;/i&gt;" in text
    # with charts: the dashboard, and t1 (its baseline, milestone and goal; no data yet)
    with_charts = report.to_html(lang="zh")
    assert with_charts.count("<svg ") == 2 and '<figure id="chart-t1">' in with_charts
    assert with_charts.count("<script") == 1 and "&lt;script&gt;" in with_charts


def test_html_without_a_cjk_font_has_english_charts(mini_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from planeval import _plots

    monkeypatch.setattr(_plots, "find_cjk_font", lambda: None)
    monkeypatch.setattr(_plots, "_warned_no_cjk", False)
    report = planeval.parse_plan(mini_text).evaluate(as_of=AS_OF)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = report.to_html(lang="zh")
    assert [w.category for w in caught] == [_plots.PlanevalWarning]
    assert '<h1 id="title">小规划</h1>' in text  # the page itself stays in Chinese
    assert text.count("<svg ") == 2


def test_html_in_english(report: planeval.Report) -> None:
    text = report.to_html(lang="en", charts=False)
    assert '<html lang="en">' in text
    assert "Baijiantan District (Karamay Hi-tech Zone) 14th Five-Year Plan" in text
    assert NOTICE[1] in text and "lagging 9" in text and "Every target" in text
    assert "on the linear path it should be 47.6" in text
    with pytest.raises(planeval.Error, match="lang"):
        report.to_html(lang="fr")


# --- in a browser --------------------------------------------------------------------------------

# Chromium's own background services (clock, component updates, sign-in); they are not requests of
# the page, which may make none.
BROWSER_HOSTS = {
    "accounts.google.com",
    "clients2.google.com",
    "update.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "safebrowsingohttpgateway.googleapis.com",
    "www.googleapis.com",
    "redirector.gvt1.com",
    "edgedl.me.gvt1.com",
    "android.clients.google.com",
    "clients1.google.com",
    "clientservices.googleapis.com",
    "safebrowsing.googleapis.com",
    "dns.google",
    "chrome.cloudflare-dns.com",
}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium is not installed (CI installs Debian's chromium for this test)")


class Listener:
    """A TCP listener on 127.0.0.1 recording the first line of every connection (the proxy)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    first = ""
                self.requests.append(first)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

    def page_requests(self) -> list[str]:
        """Requests other than Chromium's own services ("CONNECT host:443 ..." or "GET http://host/...")."""
        out = []
        for line in self.requests:
            m = re.match(r"\S+ (?:https?://)?([^/:\s]+)", line)
            if m is None or m.group(1) not in BROWSER_HOSTS:
                out.append(line)
        return out


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def _browse(chromium: str, page: Path, tmp: Path, port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp / 'profile'}",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--proxy-server=http://127.0.0.1:{port}",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        *extra,
        page.as_uri(),
    ]
    env = dict(os.environ, HOME=str(home))
    return subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=60, check=False
    )


def test_the_listener_sees_a_page_that_makes_requests(listener: Listener, tmp_path: Path) -> None:
    # the control: the set-up below does detect a page fetching something
    chromium = _chromium()
    page = tmp_path / "fetches.html"
    page.write_text('<!DOCTYPE html><p>x</p><img src="http://example.com/pixel.png">', encoding="utf-8")
    r = _browse(chromium, page, tmp_path, listener.port, "--dump-dom")
    assert r.returncode == 0, r.stderr[-2000:]
    assert any("example.com" in line for line in listener.page_requests()), listener.requests


def test_report_in_a_browser(html_file: Path, listener: Listener, tmp_path: Path) -> None:
    import matplotlib.image

    chromium = _chromium()
    png = tmp_path / "report.png"
    r = _browse(
        chromium,
        html_file,
        tmp_path,
        listener.port,
        f"--screenshot={png}",
        "--window-size=1280,2400",
        "--dump-dom",
    )
    assert r.returncode == 0, r.stderr[-2000:]
    # no request made by the page
    assert listener.page_requests() == []
    # the DOM as the browser built it
    assert TITLE_ZH in r.stdout and "进度滞后" in r.stdout and NOTICE[0] in r.stdout
    assert r.stdout.count("<svg") == 22
    # the table's script ran under the CSP (allowed by its hash): the filter controls are shown and
    # the headings are sortable; a blocked script would leave them hidden
    assert '<div id="target-controls" class="controls">' in r.stdout
    assert r.stdout.count('aria-sort="none"') >= 10
    # the screenshot: the page was drawn (not blank, not all white)
    assert png.is_file() and png.stat().st_size > 10_000
    pixels = matplotlib.image.imread(str(png))
    assert pixels.shape[:2] == (2400, 1280)
    rgb = pixels[..., :3]
    assert float(rgb.std()) > 0.05
    assert float(rgb.mean()) < 0.99
    # the status colours of the summary are on screen (e.g. lagging #fdae61)
    lagging = (
        (rgb[..., 0] > 0.97) & (abs(rgb[..., 1] - 0xAE / 255) < 0.03) & (abs(rgb[..., 2] - 0x61 / 255) < 0.03)
    )
    assert int(lagging.sum()) > 100


@pytest.mark.parametrize("example", ["baijiantan", "jining", "unnamed_county", "healthy_people_2030"])
def test_every_example_plan_gives_a_report_page(example: str, tmp_path: Path) -> None:
    # from the command line, as a bureau runs it: the page has the plan's title, one row per
    # target, the target names (never only ids) and the illustrative-data notice
    from planeval.__main__ import main as cli

    root = Path(__file__).resolve().parents[2] / "examples" / example
    out = tmp_path / "r.html"
    args = [
        "report",
        "--plan",
        str(root / "plan.json"),
        "--observations",
        str(root / "illustrative_observations.csv"),
    ]
    assert cli([*args, "--illustrative", "--as-of", "2023-12-31", "--format", "html", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    plan = planeval.load_plan(str(root / "plan.json"))
    assert html_module.escape(plan.title.zh) in page or html_module.escape(plan.title.en) in page
    assert page.count('<tr id="target-') == len(plan.targets)
    for t in plan.targets:
        row = re.search(rf'<tr id="target-{re.escape(t.id)}"[^>]*>(.*?)</tr>', page, re.DOTALL)
        assert row is not None and f'title="{t.id}"' in row.group(1)  # the id only as a tooltip
    assert 'class="notice"' in page
