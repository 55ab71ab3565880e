"""Screenshot the explorer in a real JupyterLab: start Lab on a private port, run a notebook that opens
``analysis.explore(corpus, tables)``, drive it with headless Chromium (Playwright) and save PNGs.

    python scripts/screenshot_explorer.py --corpus data/interim/articles.parquet \
        --analysis data/processed/analysis --out /tmp/explorer

The screenshots show article titles and text from the corpus: keep them out of the repository.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.browser import open_browser  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(path: Path, corpus: Path, analysis: Path, keyword: str) -> None:
    cells = [
        nbformat.v4.new_code_cell(
            "import analysis\n"
            f"corpus = analysis.corpus.load_corpus({str(corpus)!r})\n"
            f"tables = analysis.pipeline.load_analysis({str(analysis)!r})"
        ),
        nbformat.v4.new_code_cell("ex = analysis.explore(corpus, tables)\nex"),
        nbformat.v4.new_code_cell(f"ex.keyword.value = {keyword!r}\nex.tabs.selected_index = 1"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--analysis", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--keyword", default="liberat*")
    parser.add_argument("--question", default="SDF vs Syrian army", help="start of a question button's label")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), "explore-screenshot"
    with tempfile.TemporaryDirectory(prefix="explore-lab-") as work:
        work = Path(work)
        _notebook(work / "explorer.ipynb", args.corpus.resolve(), args.analysis.resolve(), args.keyword)
        settings = work / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')  # no news toast
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            JUPYTER_RUNTIME_DIR=str(work / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
        )
        lab = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}", "--LabApp.news_url=", "--allow-root",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(work / "lab.log", "w"), start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if lab.poll() is not None:
                        raise SystemExit("jupyter lab stopped:\n" + (work / "lab.log").read_text()) from None
                    time.sleep(0.5)
            with open_browser(width=1440, height=2200) as context:
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"{base}/lab/tree/explorer.ipynb?token={token}", wait_until="domcontentloaded")
                page.wait_for_selector(".jp-Notebook", timeout=60_000)
                page.wait_for_timeout(5_000)  # the kernel starts
                page.click("text=Run", timeout=10_000)
                page.click("text=Run All Cells", timeout=10_000)
                try:
                    page.wait_for_selector(".widget-tab", timeout=120_000)
                except Exception:
                    page.screenshot(path=str(args.out / "explorer-failed.png"))
                    raise
                page.wait_for_timeout(6_000)
                app = page.locator(".jp-OutputArea-output .widget-vbox").first
                page.screenshot(path=str(args.out / "explorer-lab.png"))
                app.screenshot(path=str(args.out / "explorer-sentences.png"))
                page.click(".widget-tab .lm-TabBar-tab >> nth=0")
                page.wait_for_timeout(3_000)
                app.screenshot(path=str(args.out / "explorer-articles.png"))
                search = page.locator(".widget-tab input[type=search]").first
                search.fill("Raqqa")
                page.wait_for_timeout(1_500)
                app.screenshot(path=str(args.out / "explorer-search.png"))
                # one click on a question: the filters are set and its tab opens (the explorer's seven tasks)
                page.click(f"button:has-text({args.question!r})", timeout=10_000)
                page.wait_for_timeout(20_000)  # tone and mentions of the whole corpus are computed
                app.screenshot(path=str(args.out / "explorer-question.png"))
                page.click(".widget-toggle-buttons button:has-text('2017')", timeout=10_000)
                page.wait_for_timeout(15_000)
                app.screenshot(path=str(args.out / "explorer-year.png"))
                print("page errors:", errors or "none")
        finally:
            os.killpg(lab.pid, signal.SIGTERM)
            lab.wait(timeout=30)
    print("wrote", ", ".join(sorted(p.name for p in args.out.glob("explorer-*.png"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
