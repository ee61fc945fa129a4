#!/usr/bin/env python3
"""The bare pipeline ``declog build`` is measured against (benchmarks/bench_build.py).

    python benchmarks/bare_pipeline.py LOG_ROOT OUT_DIR [--jobs N] [--markdown declog|markdown-it-py]

Read every decision file, parse its YAML frontmatter (libyaml), render its
Markdown with the same engine declog uses (``--markdown declog``, the default:
declog's renderer, with the markdown-it-pyrs accelerator when the ``fast`` extra
is installed; ``markdown-it-py``: its markdown-it-py configuration alone), render one
Jinja template per decision and write it. No validation, no cross-references,
no index pages: the least work a static site of the decisions needs, spread over
the same number of processes as ``declog build``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ meta.id }} {{ meta.title }}</title>
<link rel="stylesheet" href="../../style.css"></head>
<body>
<h1>{{ meta.id }} {{ meta.title }}</h1>
<dl>
{% for key in ("status", "mode", "category", "owner", "proposed", "deadline", "decided", "logged")
   if meta[key] is defined %}
<dt>{{ key }}</dt><dd>{{ meta[key] }}</dd>
{% endfor %}
<dt>partners</dt><dd>{{ meta.partners|default([])|join(", ") }}</dd>
</dl>
<main>{{ body }}</main>
</body>
</html>
"""

_state: tuple[Callable[[str], str], jinja2.Template, Path] | None = None


def _setup(out: Path, engine: str = "declog") -> None:
    global _state
    render: Callable[[str], str]
    if engine == "declog":
        from declog.site.markdown import Markdown, Targets

        declog_md = Markdown(Targets())
        render = lambda text: declog_md.render(text, "../../").html  # noqa: E731
    else:
        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        md.use(footnote_plugin).use(tasklists_plugin, label=True).use(
            anchors_plugin, min_level=2, max_level=4
        )
        render = md.render
    env = jinja2.Environment(autoescape=True)
    _state = (render, env.from_string(TEMPLATE), out)


def _work(paths: list[str]) -> int:
    assert _state is not None
    render, template, out = _state
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
        html = template.render(meta=meta, body=jinja2.utils.markupsafe.Markup(render(body)))
        target = out / "decisions" / str(meta["id"]) / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return len(paths)


def run(root: Path, out: Path, jobs: int, engine: str = "declog") -> int:
    paths = sorted(str(p) for p in (root / "content" / "decisions").glob("*.md"))
    out.mkdir(parents=True, exist_ok=True)
    size = max(16, len(paths) // (jobs * 8) + 1)
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    if jobs < 2:
        _setup(out, engine)
        return sum(_work(c) for c in chunks)
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_setup, initargs=(out, engine)) as pool:
        return sum(pool.map(_work, chunks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--markdown", choices=("declog", "markdown-it-py"), default="declog")
    args = parser.parse_args()
    started = time.perf_counter()
    n = run(args.root, args.out, args.jobs, args.markdown)
    print(f"bare pipeline: {n} pages in {time.perf_counter() - started:.2f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
