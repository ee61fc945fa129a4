"""Time Markdown rendering alone: markdown-it-py, markdown-it-py without its unused rules, and the
gated accelerator (markdown-it-pyrs, the ``fast`` extra), interleaved.

    python benchmarks/bench_markdown.py LOG [--rounds 3]

LOG is a log such as ``python benchmarks/gen_corpus.py /tmp/md10k 10000`` writes. Every body under
LOG/content/ is rendered once per engine per round, in the order A B C A B C ...; prints CPU
seconds per round, the medians of the per-round ratios to markdown-it-py, whether the outputs are
byte-identical, and how many bodies the gate sends to the accelerator (in LOG and in the example
log at the repository root).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from declog.log.yamlparse import Frontmatter, split_frontmatter  # noqa: E402
from declog.site import markdown_fast, pages  # noqa: E402
from declog.site.markdown import Markdown  # noqa: E402


def bodies(root: Path) -> list[str]:
    out = []
    for path in sorted((root / "content").glob("*/*.md")):
        front = split_frontmatter(path.read_text(encoding="utf-8"), str(path))
        if isinstance(front, Frontmatter):
            out.append(front.body)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("log", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if markdown_fast.engine is None:
        ap.error("markdown-it-pyrs is not installed (pip install 'declog-partnership[fast]')")
    texts = bodies(a.log)
    targets = pages.tree_targets(a.log)
    trimmed = Markdown(targets, accelerate=False)
    trimmed.md.disable(["html_block", "html_inline"])  # the only rules that never apply (html is off)
    engines: dict[str, Callable[[str], str]] = {}
    for name, md in (
        ("markdown-it-py", Markdown(targets, accelerate=False)),
        ("trimmed", trimmed),
        ("gated accelerator", Markdown(targets)),
    ):
        engines[name] = lambda text, md=md: md.render(text, pages.BODY_ROOT).html
    outputs = {name: [render(t) for t in texts] for name, render in engines.items()}
    reference = outputs["markdown-it-py"]
    print(f"{len(texts)} bodies in {a.log}; load {os.getloadavg()[0]:.2f}")
    for name, out in outputs.items():
        print(f"  {name}: {'byte-identical' if out == reference else 'DIFFERS'}")
    suited = sum(map(markdown_fast.suits, texts))
    example = bodies(REPO)
    print(
        f"gate: {suited} of {len(texts)} bodies accelerated here, "
        f"{sum(map(markdown_fast.suits, example))} of {len(example)} in the example log"
    )
    times: dict[str, list[float]] = {name: [] for name in engines}
    for r in range(a.rounds):
        for name, render in engines.items():
            start = time.process_time()
            for t in texts:
                render(t)
            times[name].append(time.process_time() - start)
        print(f"round {r + 1}: " + ", ".join(f"{n} {ts[-1]:.2f} s" for n, ts in times.items()))
    base = times["markdown-it-py"]
    for name, ts in times.items():
        ratio = statistics.median(t / b for t, b in zip(ts, base, strict=True))
        print(f"{name}: median {statistics.median(ts):.2f} s CPU, median ratio to markdown-it-py {ratio:.3f}")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
