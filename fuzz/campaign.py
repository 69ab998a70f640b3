"""Run a fuzzing campaign: ``python -m fuzz.campaign --inputs 100000 --workers 2 --seed 1``.

Inputs are drawn by Hypothesis (generation only, no database) from :func:`fuzz.mutations.trees`,
in chunks with their own seeds, on several worker processes; each is judged by
:func:`fuzz.oracle.judge`. A failure does not stop the campaign: it is counted by class, and the
smallest input of each class is kept. ``--save`` copies those inputs into the replay corpus under
``tests/hostile/corpus/`` (CI replays it), and every campaign appends its totals to ``fuzz/log.jsonl``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from fuzz.mutations import REPO, Tree, seed_files, trees
from fuzz.oracle import Failure, judge

CORPUS = REPO / "tests" / "hostile" / "corpus"
LOG = Path(__file__).resolve().parent / "log.jsonl"
CHUNK = 500


def _chunk(
    seed_value: int, count: int, seeds: dict[str, str], root: Path
) -> tuple[int, Counter[str], dict[str, tuple[Tree, Failure]]]:
    counts: Counter[str] = Counter()
    smallest: dict[str, tuple[Tree, Failure]] = {}
    done = 0

    @seed(seed_value)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(trees(seeds))
    def one(tree: Tree) -> None:
        nonlocal done
        done += 1
        failure = judge(tree, root)
        if failure is None:
            return
        counts[failure.kind] += 1
        size = sum(len(d) for d in tree.files.values())
        kept = smallest.get(failure.kind)
        if kept is None or size < sum(len(d) for d in kept[0].files.values()):
            smallest[failure.kind] = (tree, failure)

    one()
    return done, counts, smallest


def _worker(job: tuple[int, int, int]) -> tuple[int, Counter[str], dict[str, tuple[Tree, Failure]]]:
    first_seed, chunks, per_chunk = job
    seeds = seed_files()
    total = 0
    counts: Counter[str] = Counter()
    smallest: dict[str, tuple[Tree, Failure]] = {}
    with tempfile.TemporaryDirectory(prefix="relpolicy-fuzz-") as scratch:
        root = Path(scratch) / "tree"
        for index in range(chunks):
            done, chunk_counts, chunk_smallest = _chunk(first_seed + index, per_chunk, seeds, root)
            total += done
            counts.update(chunk_counts)
            for kind, (tree, failure) in chunk_smallest.items():
                kept = smallest.get(kind)
                if kept is None or sum(map(len, tree.files.values())) < sum(map(len, kept[0].files.values())):
                    smallest[kind] = (tree, failure)
    return total, counts, smallest


def save(tree: Tree, failure: Failure, corpus: Path = CORPUS) -> Path:
    """Write one input into the replay corpus: its files under ``files/`` and a manifest."""
    digest = hashlib.sha256(b"".join(k.encode("utf-8", "surrogateescape") + v for k, v in sorted(tree.files.items())))
    slug = re.sub(r"[^a-z0-9]+", "-", failure.kind.lower()).strip("-")[:60]
    folder = corpus / f"{slug}-{digest.hexdigest()[:10]}"
    (folder / "files").mkdir(parents=True, exist_ok=True)
    names = {}
    for index, (relative, data) in enumerate(sorted(tree.files.items())):
        stored = f"{index:02d}.yaml"
        (folder / "files" / stored).write_bytes(data)
        names[stored] = relative.encode("utf-8", "surrogateescape").hex()
    manifest = {
        "found": failure.kind,
        "detail": failure.detail.strip().splitlines()[-1][:300] if failure.detail.strip() else "",
        "as_of": tree.as_of.isoformat(),
        "render": tree.render,
        "files": names,
        "seeds": tree.notes,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return folder


def load(folder: Path) -> Tree:
    """The tree a corpus entry holds (file names are stored as hex, so hostile names survive git)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = {
        bytes.fromhex(name).decode("utf-8", "surrogateescape"): (folder / "files" / stored).read_bytes()
        for stored, name in manifest["files"].items()
    }
    return Tree(files=files, as_of=dt.date.fromisoformat(manifest["as_of"]), render=manifest["render"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=20_000, help="inputs in total (default 20,000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0, help="first chunk seed (use a new range for each campaign)")
    parser.add_argument(
        "--save", action="store_true", help="keep the smallest input of each failure class in the corpus"
    )
    args = parser.parse_args()
    chunks = max(1, args.inputs // CHUNK)
    per_worker = -(-chunks // args.workers)
    jobs = [(args.seed + w * per_worker, min(per_worker, chunks - w * per_worker), CHUNK) for w in range(args.workers)]
    jobs = [job for job in jobs if job[1] > 0]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = pool.map(_worker, jobs)
    total = sum(r[0] for r in results)
    counts: Counter[str] = Counter()
    smallest: dict[str, tuple[Tree, Failure]] = {}
    for _, chunk_counts, chunk_smallest in results:
        counts.update(chunk_counts)
        for kind, item in chunk_smallest.items():
            if kind not in smallest or sum(map(len, item[0].files.values())) < sum(
                map(len, smallest[kind][0].files.values())
            ):
                smallest[kind] = item
    seconds = time.perf_counter() - started
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, cwd=REPO
    )
    entry = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit.stdout.strip(),
        "seeds": [args.seed, args.seed + chunks - 1],
        "inputs": total,
        "seconds": round(seconds, 1),
        "failures": dict(sorted(counts.items())),
    }
    with LOG.open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry, sort_keys=True) + "\n")
    print(json.dumps(entry, indent=2, sort_keys=True))
    for kind, (tree, failure) in sorted(smallest.items()):
        print(f"\n== {kind} ({counts[kind]}x), seeds {tree.notes}\n{failure.detail[-1500:]}")
        if args.save:
            print("saved", save(tree, failure).relative_to(REPO))


if __name__ == "__main__":
    main()
