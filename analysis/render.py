"""The `report` command: validate parameters, execute report notebooks with papermill, write HTML, PDF and index.html.

Nothing imports this module except the command line (analysis.cli).
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from analysis import config
from analysis.catalogue import (
    EXTRA_NOTEBOOKS,
    REPORTS,
    find_report,
    list_reports,
    notebook_parameters,
    notebook_path,
    validate_parameters,
)
from analysis.errors import AnalysisError, ParameterError
from analysis.htmlsafe import make_url_fetcher
from analysis.notebook import format_value
from analysis.outputs import prepare_folder
from analysis.provenance import git_commit, package_versions

log = logging.getLogger(__name__)


class ReportError(AnalysisError):
    """A report notebook failed while executing or rendering (the message names the cell and the saved notebook)."""


def give_back_memory() -> None:
    """Return the memory this process freed to the system: Arrow's pool (mimalloc keeps freed pages) and the C
    heap (glibc keeps freed pages below its top until trimmed).

    Why: the `report all` process stays alive beside every kernel, and the RSS of both counts. Checking the
    parameters reads the corpus metadata, the fingerprint thread reads the whole corpus and WeasyPrint lays out
    each page; what they used is freed, but stays resident without this (synthetic million-article folder: 326
    MB after the checks, 220 MB after giving back). Where glibc is absent this does Arrow's part only."""
    import gc

    gc.collect()
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass


def _css() -> str:
    return config.resource("report.css").read_text(encoding="utf-8")


def _strip_opener_title(nb) -> None:
    """The page header shows the ``title`` parameter; drop the notebook's own first ``# `` heading (meant for Lab)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            if lines and lines[0].startswith("# "):
                cell.source = "\n".join(lines[1:]).lstrip("\n")
            return


def _add_alt_text(nb, body: str) -> str:
    """nbconvert writes ``<img>`` without ``alt``: use each figure's title (kept in the output metadata)."""
    alts = [
        out.get("metadata", {}).get("alt", "figure")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    it = iter(alts)
    return re.sub(r"<img (?![^>]*\balt=)", lambda m: f'<img alt="{html.escape(next(it, "figure"))}" ', body)


def export_html(executed: Path, html_path: Path, *, title: str, subtitle: str = "", include_code: bool = False) -> Path:
    """Write a self-contained HTML page of an executed notebook: images inline (data: URIs), print CSS, no code
    unless ``include_code``."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    _strip_opener_title(nb)
    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = not include_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    # papermill's own cells: the injected parameters show only with the code
    if not include_code:
        nb.cells = [
            c for c in nb.cells if not ({"injected-parameters", "parameters"} & set(c.metadata.get("tags", [])))
        ]
    body, _ = exporter.from_notebook_node(nb)
    body = _add_alt_text(nb, body)
    extra_css = ""
    if include_code:
        from pygments.formatters import HtmlFormatter

        extra_css = HtmlFormatter(style="default").get_style_defs(".highlight")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_css()}\n{extra_css}\n</style>\n</head>\n<body>\n"
        f'<main class="report">\n<header class="report-header"><h1>{html.escape(title)}</h1>'
        f'<p class="subtitle">{html.escape(subtitle)}</p></header>\n{body}\n</main>\n</body>\n</html>\n'
    )
    html_path.write_text(page, encoding="utf-8")
    return html_path


def export_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print an HTML report to PDF with WeasyPrint (the page size and margins come from the print CSS)."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # pango missing
        raise ReportError(
            f"WeasyPrint cannot load its system libraries ({exc}); run `bash scripts/setup.sh` "
            "or `apt-get install libpango-1.0-0 libpangoft2-1.0-0`"
        ) from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # fetch nothing that the page names except its own figures: a URL from scraped text is never requested
    fetcher = make_url_fetcher(html_path.parent)
    HTML(filename=str(html_path), base_url=str(html_path.parent), url_fetcher=fetcher).write_pdf(str(pdf_path))
    return pdf_path


# Arrow's allocator in the report kernels (unless the user set ARROW_DEFAULT_MEMORY_POOL): the system allocator
# gives freed buffers back, where Arrow's default (mimalloc) keeps the pages that reading the corpus metadata and the
# analysis tables needed for a moment (actors report, 300,000 articles: peak 1,261 instead of 1,374 MB, same CPU)
ARROW_POOL_ENV, ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL", "system"


def _kernel_manager_class(runtime_dir: Path):
    """A kernel manager talking to the kernel over local IPC sockets (not TCP): nothing listens on the network,
    and the kernel does not warn about unencrypted TCP. Its sockets and connection file live in ``runtime_dir``, a
    private folder of this report run: two runs at once never share a socket (they did in the checkout's
    notebooks/, crossing kernel messages). The kernel is the ``python3`` kernelspec, whose ``python``
    jupyter_client replaces with this interpreter (sys.executable), so reports run in this environment. The
    kernel's own runtime files go to ``runtime_dir`` too (JUPYTER_RUNTIME_DIR in its environment only: reports
    executed at the same time in threads of one process each keep their own)."""
    from jupyter_client.manager import AsyncKernelManager

    ipc = len(str(runtime_dir)) <= 60  # socket paths are limited to ~107 bytes: else local TCP on a random port

    class PrivateKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.connection_file = str(runtime_dir / "kernel.json")
            if ipc:
                self.transport = "ipc"
                self.ip = str(runtime_dir / "kernel-ipc")

        async def _async_pre_start_kernel(self, **kw):
            env = {**kw.get("env", os.environ), "JUPYTER_RUNTIME_DIR": str(runtime_dir)}
            env.setdefault(ARROW_POOL_ENV, ARROW_POOL)
            kw["env"] = env
            return await super()._async_pre_start_kernel(**kw)

    return PrivateKernelManager


def _execute(nb_in: Path, nb_out: Path, parameters: dict, *, progress: bool) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    runtime_dir = Path(tempfile.mkdtemp(prefix="cn-kernel-"))  # short, private, removed afterwards
    try:
        pm.execute_notebook(
            str(nb_in),
            str(nb_out),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(nb_in.parent),
            log_output=False,
            kernel_manager_class=_kernel_manager_class(runtime_dir),
        )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"{nb_in.name} failed in cell {exc.exec_count or exc.cell_index}: {exc.ename}: "
            f"{exc.evalue} (the executed notebook with the traceback is {nb_out})"
        ) from None
    finally:
        shutil.rmtree(runtime_dir, ignore_errors=True)


def _clean_output_dir(out_dir: Path, name: str) -> None:
    for sub in ("figures", "tables"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    for f in (f"{name}.ipynb", f"{name}.html", f"{name}.pdf", "outputs.json"):
        (out_dir / f).unlink(missing_ok=True)


@dataclass
class RenderResult:
    """What one rendered report produced."""

    name: str
    title: str
    folder: Path
    notebook: Path
    html: Path
    pdf: Path | None
    parameters: dict
    figures: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    pages: int | None = None
    seconds: dict = field(default_factory=dict)


def render_report(
    name: str,
    *,
    corpus: str | os.PathLike,
    analysis: str | os.PathLike,
    out: str | os.PathLike,
    parameters: dict | None = None,
    include_code: bool = False,
    pdf: bool = True,
    progress: bool = True,
    validate: bool = True,
) -> RenderResult:
    """Execute one report notebook with papermill and write ``<out>/<name>/``: the executed notebook, HTML, PDF,
    figures/*.png|svg, tables/*.csv and outputs.json. Parameters are validated first (see
    :func:`validate_parameters`)."""
    corpus, analysis, out = Path(corpus).resolve(), Path(analysis).resolve(), Path(out).resolve()
    params = dict(parameters or {})
    if validate:
        params = validate_parameters([name], params, corpus=corpus, analysis=analysis)[name]
        give_back_memory()
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    _clean_output_dir(folder, name)
    nb_out = folder / f"{name}.ipynb"
    injected = {**params, "corpus": str(corpus), "analysis_dir": str(analysis), "output_dir": str(folder)}
    timings = {}
    t0 = time.perf_counter()
    _execute(notebook_path(name), nb_out, injected, progress=progress)
    timings["execute"] = round(time.perf_counter() - t0, 1)
    record = (
        json.loads((folder / "outputs.json").read_text(encoding="utf-8"))
        if (folder / "outputs.json").exists()
        else {"title": name, "outputs": [], "parameters": injected}
    )
    title = record.get("title") or name
    subtitle = f"Report “{name}” · corpus {corpus.name}"
    t0 = time.perf_counter()
    html_path = export_html(nb_out, folder / f"{name}.html", title=title, subtitle=subtitle, include_code=include_code)
    timings["html"] = round(time.perf_counter() - t0, 1)
    pdf_path, pages = None, None
    if pdf:
        t0 = time.perf_counter()
        pdf_path = export_pdf(html_path, folder / f"{name}.pdf")
        timings["pdf"] = round(time.perf_counter() - t0, 1)
        from pypdf import PdfReader

        pages = len(PdfReader(str(pdf_path)).pages)
    give_back_memory()  # the page layout's memory, before the next kernel starts
    outputs = record.get("outputs", [])
    return RenderResult(
        name=name,
        title=title,
        folder=folder,
        notebook=nb_out,
        html=html_path,
        pdf=pdf_path,
        parameters=record.get("parameters", injected),
        figures=[f for o in outputs if o["kind"] == "figure" for f in o["files"]],
        tables=[f for o in outputs if o["kind"] == "table" for f in o["files"]],
        pages=pages,
        seconds=timings,
    )


def render_reports(
    names: list[str] | None = None,
    *,
    corpus: str | os.PathLike = config.CORPUS_FILE,
    analysis: str | os.PathLike = config.ANALYSIS_DIR,
    out: str | os.PathLike = config.REPORTS_DIR,
    parameters: dict | None = None,
    include_code: bool = False,
    pdf: bool = True,
    progress: bool = True,
    jobs: int | None = None,
) -> list[RenderResult]:
    """Render several reports (``None`` or ``["all"]``: every report) into ``out`` and write ``index.html`` and
    ``run.json`` there. All parameters are validated for all reports before the first kernel starts.

    ``jobs``: reports rendered at the same time, each by its own kernel (None: :func:`default_jobs`); the
    reports are the same files either way. With more than one report the corpus is fingerprinted once, beside the
    first kernel, for every report's provenance (instead of once in each kernel)."""
    names = list(names or ["all"])
    if "all" in names:
        names = [s.name for s in list_reports()] + [n for n in names if n != "all" and n not in REPORTS]
    names = list(dict.fromkeys(names))
    for n in names:
        find_report(n)
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise ParameterError(f"--jobs must be 1 or more, got {jobs}")
    typed = validate_parameters(names, dict(parameters or {}), corpus=corpus, analysis=analysis)
    give_back_memory()  # the corpus metadata the checks read, before the first kernel starts
    out = prepare_folder(Path(out).resolve())  # a bad --out fails before the first kernel starts
    started = _dt.datetime.now(_dt.UTC)
    at_once = jobs > 1 and len(names) > 1

    def render(i: int, name: str) -> RenderResult:
        print(f"report {i}/{len(names)}: {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        result = render_report(
            name,
            corpus=corpus,
            analysis=analysis,
            out=out,
            parameters=typed[name],
            include_code=include_code,
            pdf=pdf,
            progress=progress and not at_once,  # progress bars of reports running at once would garble each other
            validate=False,
        )
        result.seconds["total"] = round(time.perf_counter() - t0, 1)
        return result

    with _fingerprint_once(corpus, enabled=len(names) > 1, analysis=analysis):
        if at_once:
            results = _render_at_once(render, names, jobs)
        else:
            results = [render(i, name) for i, name in enumerate(names, 1)]
    write_index(results, out, corpus=corpus, analysis=analysis, started=started)
    return results


@contextmanager
def _environment(values: dict[str, str]):
    """``values`` in os.environ (inherited by the kernels started meanwhile), the previous values back after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def default_jobs() -> int:
    """Reports rendered at once by default: 1. Two at a time (``--jobs 2``) use the second core, but hold two
    kernels: at 300,000 articles their peaks summed to 2.3 GB against 1.7 GB one at a time (at a million articles
    one kernel alone holds about 0.9 GB of corpus metadata before DuckDB's 1 GB), so two at once is a choice for
    machines with the memory to spare, not the default."""
    return 1


def _render_at_once(render, names: list[str], jobs: int) -> list[RenderResult]:
    """``render(i, name)`` of every name, ``jobs`` at a time in threads (the work is in the kernel processes; the
    threads wait for them), results in the order of ``names``. After a failure no further report starts, the
    running ones finish, and the first failure is raised."""
    from concurrent.futures import ThreadPoolExecutor

    failed: list[BaseException] = []
    lock = threading.Lock()

    def guarded(i: int, name: str) -> RenderResult | None:
        with lock:
            if failed:
                return None
        try:
            return render(i, name)
        except BaseException as exc:
            with lock:
                failed.append(exc)
            raise

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="report") as pool:
        futures = [pool.submit(guarded, i, name) for i, name in enumerate(names, 1)]
    if failed:
        raise failed[0]
    return [f.result() for f in futures]


@contextmanager
def _fingerprint_once(corpus, *, enabled: bool, analysis=None):
    """While the reports render: the corpus fingerprinted once in a thread, the result left in a private file
    that the kernels' provenance reads (analysis.streaming.find_known_fingerprint) instead of hashing the corpus
    again. A kernel that needs it before it is ready, or finds the file changed, hashes the corpus itself.

    When the analysis manifest in ``analysis`` recorded the fingerprint of this very corpus file (same sha256,
    :func:`analysis.provenance.find_recorded_fingerprint`), that one is left for the kernels and nothing is hashed
    but the file, once."""
    from analysis.streaming import KNOWN_FINGERPRINT_ENV, save_corpus_fingerprint, save_recorded_fingerprint

    if not enabled or not Path(corpus).is_file():
        yield
        return
    folder = Path(tempfile.mkdtemp(prefix="cn-fingerprint-"))
    dest = folder / "fingerprint.json"
    thread = None
    if save_recorded_fingerprint(corpus, dest, _corpus_record(analysis)) is None:

        def work() -> None:
            try:
                save_corpus_fingerprint(corpus, dest)
            except Exception as exc:  # noqa: BLE001 - the kernels then hash the corpus themselves and report any error
                log.debug("corpus fingerprint not shared: %s", exc)
            give_back_memory()  # the corpus's row groups, while the kernels run on

        thread = threading.Thread(target=work, name="fingerprint", daemon=True)
        thread.start()
    try:
        with _environment({KNOWN_FINGERPRINT_ENV: str(dest)}):  # the kernels inherit it
            yield
    finally:
        if thread is not None:
            thread.join()
        shutil.rmtree(folder, ignore_errors=True)


def _corpus_record(analysis) -> dict | None:
    """The ``corpus`` entry of the manifest in the analysis folder ``analysis`` (its path, sha256 and
    fingerprint), or None when there is none or it cannot be read."""
    import json

    if analysis is None:
        return None
    try:
        manifest = json.loads((Path(analysis) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None
    record = manifest.get("corpus") if isinstance(manifest, dict) else None
    return record if isinstance(record, dict) else None


def write_index(results: list[RenderResult], out: Path, *, corpus, analysis, started: _dt.datetime) -> Path:
    """Write ``index.html`` (links to every report of the run) and ``run.json`` (what was rendered, when, with what)."""
    finished = _dt.datetime.now(_dt.UTC)
    run = {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "corpus": str(corpus),
        "analysis": str(analysis),
        "git_commit": git_commit(),
        "python": sys.executable,
        "packages": package_versions(),
        "reports": [
            {
                "name": r.name,
                "title": r.title,
                "html": r.html.relative_to(out).as_posix(),
                "pdf": r.pdf.relative_to(out).as_posix() if r.pdf else None,
                "notebook": r.notebook.relative_to(out).as_posix(),
                "pages": r.pages,
                "seconds": r.seconds,
                "figures": r.figures,
                "tables": r.tables,
                "parameters": {k: v for k, v in r.parameters.items() if k not in ("output_dir",)},
            }
            for r in results
        ],
    }
    (out / "run.json").write_text(json.dumps(run, indent=2, default=str) + "\n", encoding="utf-8")
    rows = []
    for r, info in zip(results, run["reports"]):
        links = [f'<a href="{html.escape(info["html"])}">HTML</a>']
        if info["pdf"]:
            links.append(f'<a href="{html.escape(info["pdf"])}">PDF</a> ({r.pages} pages)')
        links.append(f'<a href="{html.escape(info["notebook"])}">notebook</a>')
        figs = ", ".join(
            f'<a href="{r.name}/{html.escape(f)}">{html.escape(Path(f).name)}</a>'
            for f in r.figures
            if f.endswith(".svg")
        )
        tabs = ", ".join(f'<a href="{r.name}/{html.escape(f)}">{html.escape(Path(f).name)}</a>' for f in r.tables)
        params = ", ".join(
            f"{html.escape(k)}={html.escape(format_value(v))}"
            for k, v in info["parameters"].items()
            if k not in ("corpus", "analysis_dir")
        )
        rows.append(
            f"<tr><td><b>{html.escape(r.title)}</b><br><small>{html.escape(find_report(r.name).description)}"
            f"</small></td><td>{' · '.join(links)}</td><td><small>{figs or '–'}</small></td>"
            f"<td><small>{tabs or '–'}</small></td><td><small>{params}</small></td></tr>"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Reports</title>\n'
        f'<style>\n{_css()}\n</style>\n</head>\n<body>\n<main class="report index">\n'
        '<header class="report-header"><h1>Reports</h1>'
        f'<p class="subtitle">corpus {html.escape(str(corpus))} · analysis {html.escape(str(analysis))}</p></header>\n'
        '<table class="report-table index-table"><thead><tr><th>report</th><th>files</th><th>figures (SVG; PNG '
        "beside them)</th><th>tables (CSV)</th><th>parameters</th></tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n"
        f'<p class="note">Rendered {finished:%Y-%m-%d %H:%M} UTC from git commit {html.escape(run["git_commit"])}; '
        'details in <a href="run.json">run.json</a>. The reports themselves carry no rendering time, so that '
        "re-rendering the same inputs gives identical tables and figures.</p>\n</main>\n</body>\n</html>\n"
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ CLI
def register_cli(sub) -> None:
    """Add the `report` sub-command."""
    names = ", ".join(list(REPORTS) + list(EXTRA_NOTEBOOKS))
    p = sub.add_parser(
        "report",
        help="render report notebooks to HTML and PDF (papermill + nbconvert + WeasyPrint)",
        description=f"Execute report notebooks ({names}) on a corpus and its analysis tables, and write for each "
        "an executed notebook, a self-contained HTML page, a PDF, figures (PNG, SVG) and tables (CSV) "
        "into OUT/NAME/, plus OUT/index.html. Parameters are checked before any notebook runs.",
        epilog="Example: python -m analysis report coverage -p start 2016-01-01 -p end 2017-12-31 -p freq W "
        "-p outlets sana,reuters",
    )
    p.add_argument(
        "names", nargs="*", default=["all"], metavar="NAME", help=f"report(s) to render: {names}, or all (default)"
    )
    p.add_argument("--corpus", default=str(config.CORPUS_FILE), help="canonical corpus parquet (default: %(default)s)")
    p.add_argument(
        "--analysis", default=str(config.ANALYSIS_DIR), help="folder written by `analyze` (default: %(default)s)"
    )
    p.add_argument("--out", default=str(config.REPORTS_DIR), help="output folder (default: %(default)s)")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="set a notebook parameter (repeatable); lists are comma-separated, e.g. -p outlets sana,trt",
    )
    p.add_argument("--include-code", action="store_true", help="keep the code cells in the HTML and PDF")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="reports rendered at the same time, each in its own kernel (default 1; 2 uses a second core and the "
        "memory of a second kernel); the same files either way",
    )
    p.add_argument("--list", action="store_true", help="list the reports and their parameters, then exit")
    p.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    if args.list:
        for spec in list_reports(include_extra=True):
            print(f"{spec.name}: {spec.description}")
            for k, v in notebook_parameters(spec.name).items():
                print(f"    {k} ({v['type']}, default {v['default']}): {v['help']}")
        return 0
    params = {}
    for key, value in args.parameter:
        if key in params:
            raise ParameterError(f"parameter {key} given twice: give each -p KEY once")
        params[key] = value
    reserved = {"corpus", "analysis_dir", "output_dir"} & set(params)
    if reserved:
        raise ParameterError(f"set {', '.join(sorted(reserved))} with --corpus/--analysis/--out, not -p")
    results = render_reports(
        args.names,
        corpus=args.corpus,
        analysis=args.analysis,
        out=args.out,
        parameters=params,
        include_code=args.include_code,
        pdf=not args.no_pdf,
        progress=not args.no_progress,
        jobs=args.jobs,
    )
    for r in results:
        pages = f", {r.pages} PDF pages" if r.pages else ""
        print(
            f"{r.name}: {r.html}{pages}, {len(r.figures) // 2} figures, {len(r.tables)} tables "
            f"({r.seconds.get('total', 0):.0f} s)"
        )
    print(f"index: {Path(args.out) / 'index.html'}")
    return 0
