"""The HTML leak report, rendered from a real JSON report by ``python -m
leakrunner.report``, opened in a real headless browser (Chromium from
Debian's packages, installed by tools/provision.sh); and ``compare``."""

import json
import os
import shutil
import struct
import subprocess

import pytest
from conftest import ROOT, run_module

# A JSON leak report of the leak corpus (tests/trees/leakcorpus) on Debian's
# python3.11-dbg: seven leaking layers, a drift, clean ones.
REPORT = ROOT / "tests" / "reports" / "corpus-pydebug.json"

# Run at the end of the page under test (a copy of it): the layout is
# forced, and what the browser rendered is written into the DOM, which
# --dump-dom prints.
PROBE = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  // The page is on screen: laid out to its end, its first screen painted.
  var height = document.documentElement.getBoundingClientRect().height;
  var ms = performance.now();
  // Sections off screen are rendered when scrolled to (content-visibility):
  // render them all now, as scrolling through the page would.
  var all = document.createElement("style");
  all.textContent = "section.layer{content-visibility:visible!important}";
  document.head.appendChild(all);
  function box(el) {
    var r = el.getBoundingClientRect();
    return [Math.round(r.width), Math.round(r.height)];
  }
  function shown(el) {
    var s = getComputedStyle(el), r = el.getBoundingClientRect();
    return s.display !== "none" && s.visibility !== "hidden" && r.width > 0 && r.height > 0;
  }
  var charts = Array.prototype.map.call(document.querySelectorAll("svg.chart"), function (svg) {
    return {label: svg.getAttribute("aria-label"), box: box(svg), shown: shown(svg),
            lines: svg.querySelectorAll("polyline").length,
            texts: svg.querySelectorAll("text").length};
  });
  var findings = Array.prototype.map.call(document.querySelectorAll("li.finding"), function (li) {
    var section = li.closest("section");
    return {layer: section.querySelector("h2 > span:last-child").textContent, text: li.innerText,
            shown: shown(li)};
  });
  var result = {ms: ms, height: height, errors: errors, charts: charts, findings: findings,
                rows: document.querySelectorAll("#layers tbody tr").length,
                width: document.documentElement.scrollWidth,
                viewport: window.innerWidth,
                lead: document.querySelector(".lead").innerText};
  var pre = document.createElement("pre");
  pre.id = "probe-result";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();
</script>"""


def chromium():
    """The browser, installing Debian's package when it is missing and we
    may (as tools/provision.sh does); skips only when it cannot be had."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(
            "chromium is not installed and cannot be installed here (not root, or no apt-get)"
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    proc = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, timeout=900
    )
    path = shutil.which("chromium")
    if proc.returncode != 0 or not path:
        pytest.skip(
            "chromium could not be installed: " + proc.stderr.decode(errors="replace")[-300:]
        )
    return path


def browse(page, *flags, width=1200, height=900, timeout=120):
    """Runs headless Chromium on a file with `flags`; returns (stdout, stderr)."""
    proc = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            # Nothing may be fetched: every host fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--window-size={width},{height}",
            *flags,
            page.as_uri(),
        ],
        capture_output=True,
        timeout=timeout,
        cwd=page.parent,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout.decode(), proc.stderr.decode(errors="replace")


def probe(page, tmp_path, width=1200):
    """What the browser rendered of `page`."""
    probed = tmp_path / ("probed-%d.html" % width)
    probed.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom, stderr = browse(probed, "--dump-dom", width=width)
    start = dom.index('<pre id="probe-result">') + len('<pre id="probe-result">')
    text = dom[start : dom.index("</pre>", start)]
    text = (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )
    console = [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return json.loads(text), console


def render(report, out, *extra):
    status, stdout, stderr = run_module("leakrunner.report", [str(report), "-o", str(out), *extra])
    assert (status, stderr) == (0, ""), stderr
    assert stdout == ""
    return out.read_text(encoding="utf-8")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_page_of_a_real_report_renders_with_every_chart_and_the_findings(tmp_path):
    page = tmp_path / "report.html"
    source = render(REPORT, page)
    report = json.loads(REPORT.read_text())
    leaking = [layer for layer in report["layers"] if layer["verdict"] == "leak"]
    assert len(leaking) == 7

    result, console = probe(page, tmp_path)
    assert console == [] and result["errors"] == [], (console, result["errors"])
    assert result["lead"] == "7 of 17 layers leak, 1 layer drifts, 9 clean."
    assert result["rows"] == len(report["layers"])
    # Every chart of the page is in the rendered DOM, laid out and drawn.
    assert len(result["charts"]) == source.count('<svg class="chart"') > 0
    for chart in result["charts"]:
        assert chart["shown"] and chart["box"][0] > 250 and chart["box"][1] > 120, chart
        assert chart["lines"] >= 1 and chart["texts"] >= 4, chart
    # Each leaking layer has its signal charts and its findings, visible,
    # with their kinds, types and tests.
    for layer in leaking:
        name = layer["layer"]
        labels = [c["label"] for c in result["charts"]]
        assert any(label.startswith("Allocated memory blocks") for label in labels)
        shown = [f for f in result["findings"] if f["layer"] == name]
        assert len(shown) == len(layer["findings"]), name
        for finding, rendered in zip(layer["findings"], shown, strict=True):
            assert rendered["shown"], rendered
            assert finding["kind"].upper() in rendered["text"].upper()
            if finding["type"]:
                assert finding["type"] in rendered["text"]
            for test in finding["tests"]:
                assert test in rendered["text"]

    # A screenshot, as a person would see it.
    shot = tmp_path / "report.png"
    browse(page, f"--screenshot={shot}", height=2400)
    assert png_size(shot) == (1200, 2400)
    assert shot.stat().st_size > 50_000, "not a blank page"


def test_the_page_of_the_demo_hunt_shows_who_holds_the_leak(tmp_path):
    # The demo's hunt on this interpreter, its JSON report, then its page.
    status, out, err = run_module(
        "leakrunner",
        [
            "--path",
            str(ROOT / "testrunner-ex"),
            "--tests-pattern",
            "^(leak|leaklayers|bookkeeping)$",
            "--leaks",
            "--leak-report",
            str(tmp_path / "demo.json"),
        ],
    )
    assert status == 1, out + err
    page = tmp_path / "demo.html"
    source = render(tmp_path / "demo.json", page)
    result, console = probe(page, tmp_path)
    assert console == [] and result["errors"] == [], (console, result["errors"])
    # The bookkeeping layer drifts where the build keeps a reference total.
    assert result["lead"] in (
        "1 of 4 layers leaks, 3 clean.",
        "1 of 4 layers leaks, 1 layer drifts, 2 clean.",
    )
    assert len(result["charts"]) == source.count('<svg class="chart"') >= 3
    for chart in result["charts"]:
        assert chart["shown"] and chart["lines"] >= 1, chart
    # The finding of type leak.Leakable (kind, type, rate head each finding).
    leakable = [f for f in result["findings"] if f["text"].split("\n")[1] == "leak.Leakable"]
    assert len(leakable) == 1 and leakable[0]["shown"]
    text = leakable[0]["text"]
    assert "leak.LeakTest.test_leak" in text
    # The chain, from the module global that hoards the objects.
    assert "Held by:" in text and "leak.HOARD (list)" in text, text


def test_the_page_fits_a_narrow_screen(tmp_path):
    page = tmp_path / "report.html"
    render(REPORT, page)
    # Headless Chromium makes a window at least 500 pixels wide.
    result, console = probe(page, tmp_path, width=500)
    assert console == [] and result["errors"] == []
    assert result["viewport"] <= 500
    # Nothing wider than the screen but what scrolls in its own box.
    assert result["width"] <= result["viewport"], result["width"]
    for chart in result["charts"]:
        assert 250 < chart["box"][0] <= result["viewport"], chart


def synthetic_report(layers=200, iterations=100):
    """A big hunt: one layer in ten leaks (a type per iteration), one in
    twenty drifts, the rest are clean; every sample lists changed types."""
    report = json.loads(REPORT.read_text())
    clean = next(layer for layer in report["layers"] if layer["verdict"] == "clean")
    leak = next(layer for layer in report["layers"] if layer["layer"] == "objects_leak.Layer")
    drift = next(layer for layer in report["layers"] if layer["verdict"] == "drift")
    out = []
    for i in range(layers):
        model = leak if i % 10 == 0 else drift if i % 20 == 5 else clean
        layer = json.loads(json.dumps(model))
        layer["layer"] = f"pkg.sub{i}.tests.Layer{i}"
        grows = model is leak
        records = []
        for k in range(iterations + 1):
            base = dict(model["iterations"][min(k, len(model["iterations"]) - 1)])
            base["iteration"] = k
            base["warmup"] = k <= model["warmups"]
            step = k if grows else 0
            base["total_refs"] = 160_000 + 4 * step + (3 * k if model is drift else 0)
            base["blocks"] = 50_000 + 2 * step + k % 2
            base["objects"] = 28_000 + step + k % 2
            base["census_refs"] = 110_000 + 2 * step + k % 2
            base["types"] = [
                {"title": f"noise.T{t}", "instances": (-1) ** k, "refs": (-1) ** k}
                for t in range(8)
            ]
            if grows and k:
                base["types"].append({"title": "objects_leak.Leakable", "instances": 1, "refs": 1})
            records.append(base)
        layer["iterations"] = records
        out.append(layer)
    report["layers"] = out
    return report


def test_a_hunt_of_200_layers_and_100_iterations_is_small_and_renders_fast(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps(synthetic_report()))
    page = tmp_path / "big.html"
    source = render(big, page)
    assert len(source.encode()) < 2_000_000, len(source.encode())
    result, console = probe(page, tmp_path)
    assert console == [] and result["errors"] == []
    assert result["rows"] == 200
    assert len(result["charts"]) == source.count('<svg class="chart"')
    # From navigation to the page laid out to its end and on screen; the
    # best of three, as benchmarks do (the machine may be busy with more).
    times = [result["ms"]]
    while min(times) >= 2000 and len(times) < 3:
        times.append(probe(page, tmp_path)[0]["ms"])
    assert min(times) < 2000, times


def test_compare_says_the_leak_is_gone(tmp_path):
    before = json.loads(REPORT.read_text())
    after = json.loads(REPORT.read_text())
    fixed = next(layer for layer in after["layers"] if layer["layer"] == "objects_leak.Layer")
    fixed["verdict"] = "clean"
    fixed["findings"] = []
    (tmp_path / "before.json").write_text(json.dumps(before))
    (tmp_path / "after.json").write_text(json.dumps(after))
    status, out, err = run_module(
        "leakrunner.report",
        ["compare", "before.json", "after.json", "-o", "diff.html"],
        cwd=tmp_path,
    )
    assert (status, err) == (0, "")
    assert "  fixed         objects_leak.Layer (leak -> clean)\n" in out
    assert "    fixed  objects      objects_leak.Leakable  was +1/iter\n" in out
    assert out.endswith("17 layers: 1 fixed, 6 still leaking, 10 unchanged.\n"), out
    assert '<td class="status c-fixed">fixed</td>' in (tmp_path / "diff.html").read_text()
    # The other way round the leak is new, and the status says so.
    status, out, err = run_module(
        "leakrunner.report", ["compare", "after.json", "before.json"], cwd=tmp_path
    )
    assert status == 1
    assert "  new leak      objects_leak.Layer (clean -> leak)\n" in out


def test_usage_errors_exit_2():
    status, out, err = run_module("leakrunner.report", [])
    assert status == 2 and out == ""
    assert err.startswith("usage: python -m leakrunner.report REPORT.json")
    status, out, err = run_module("leakrunner.report", ["--help"])
    assert status == 0 and "compare BEFORE AFTER" in out
    status, out, err = run_module("leakrunner.report", [str(ROOT / "nothing.json")])
    assert status == 2 and "cannot read" in err
