#!/usr/bin/env python3
"""Many files against a local KMS emulator: one leafseal invocation vs. N sequential sops ones.

    python3 bench/many_files.py                    # 100 files, 3 runs per tool and case
    python3 bench/many_files.py --runs 5 --files 50

The issue's target: `decrypt` / `updatekeys` / `rotate` over 100 KMS-encrypted files take at
most 0.2x the time of 100 sequential sops invocations. What it does, in order:

  1. `cargo build --release` (skip with --leafseal PATH or --no-build);
  2. starts moto_server (--moto, $LEAFSEAL_MOTO_SERVER or .cache/venv/bin/moto_server, installed
     by scripts/test.sh) on 127.0.0.1 on a port the OS picks; it is stopped at the end, and it
     exits by itself when this script dies (its stdin closes) or after a deadline;
  3. creates one KMS key there, writes N small YAML files and encrypts them with the reference
     sops (`--kms ARN`, dummy credentials, AWS_ENDPOINT_URL_KMS pointing at moto);
  4. per case, a check before timing: leafseal's decrypted files must be byte-identical to
     sops's; after leafseal's updatekeys, sops must open every file with the newly added age key
     alone; after leafseal's rotate, every file must have changed and sops must decrypt it to
     the original plaintext;
  5. per case, R pairs of runs alternating leafseal, sops, leafseal, ... The sops side is N
     invocations one after another (`sops decrypt f > out`, `sops updatekeys -y f`,
     `sops rotate -i f`), the leafseal side one invocation over all N files
     (`leafseal decrypt --output-dir D f1..fN`, `leafseal updatekeys -y f1..fN`,
     `leafseal rotate -i f1..fN`). Files changed by a run are restored (untimed) before the next;
  6. prints the table: median wall time of each side, the per-pair ratio leafseal/sops (median,
     min-max), the target (<= 0.20) and whether the median meets it.

Exit status: 0 when every run succeeded and every check passed (a missed target does not fail
it), 1 on a failed run or check, 2 on bad usage or a missing tool. Only 127.0.0.1 is contacted:
no AWS account or credentials are used. Python 3 standard library only; run.py can call
`run_cases()` or `main(argv)`.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ in the work tree
import gen_corpus as corpus  # noqa: E402

ROOT = corpus.ROOT
REGION = "eu-west-1"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TARGET = 0.20
# moto lives at most this long, whatever happens to this script.
MOTO_DEADLINE_S = 3600
MOTO_START_TIMEOUT_S = 60
CASES = ("decrypt", "updatekeys", "rotate")


def find_moto(explicit=None):
    for c in (explicit, os.environ.get("LEAFSEAL_MOTO_SERVER"),
              os.path.join(ROOT, ".cache", "venv", "bin", "moto_server")):
        if c and os.path.isfile(c):
            return c
    return None


class Moto:
    """moto_server on 127.0.0.1:<free port>, with a watchdog: it exits when our pipe to its
    stdin closes (this process died) or after MOTO_DEADLINE_S."""

    def __init__(self, script, log):
        python = os.path.join(os.path.dirname(script), "python")
        watchdog = (
            "import os, sys, threading, time\n"
            "threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n"
            "threading.Thread(target=lambda: (time.sleep(%d), os._exit(0)), daemon=True).start()\n"
            "from moto.server import main\n"
            "main(['-H', '127.0.0.1', '-p', '0'])\n" % MOTO_DEADLINE_S)
        if os.access(python, os.X_OK):
            argv = [python, "-c", watchdog]
        else:
            argv = [script, "-H", "127.0.0.1", "-p", "0"]
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("TMPDIR", "/tmp")}
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env)
        self.port = None
        found = threading.Event()

        def read():
            for raw in self.proc.stdout:
                line = raw.decode(errors="replace")
                if self.port is None and "Running on http://127.0.0.1:" in line:
                    digits = ""
                    for ch in line.split("Running on http://127.0.0.1:", 1)[1]:
                        if not ch.isdigit():
                            break
                        digits += ch
                    if digits:
                        self.port = int(digits)
                        found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(MOTO_START_TIMEOUT_S):
            self.stop()
            raise RuntimeError("moto_server did not report its port within %d s" % MOTO_START_TIMEOUT_S)
        deadline = time.monotonic() + MOTO_START_TIMEOUT_S
        while True:
            try:
                self.kms("ListKeys", {})
                break
            except (OSError, RuntimeError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server on port %d does not answer" % self.port)
                time.sleep(0.05)
        log("moto_server listening on 127.0.0.1:%d" % self.port)

    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def kms(self, action, body):
        """One KMS JSON-protocol call; moto reads the region from the (unchecked) signature."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", "/", json.dumps(body), {
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "TrentService." + action,
                "Authorization": "AWS4-HMAC-SHA256 Credential=%s/20250101/%s/kms/aws4_request, "
                                 "SignedHeaders=host, Signature=00" % (ACCESS_KEY, REGION),
            })
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if resp.status != 200:
            raise RuntimeError("KMS %s: HTTP %d %s" % (action, resp.status, data[:200]))
        return json.loads(data)

    def create_key(self):
        return self.kms("CreateKey", {"Description": "leafseal many-files benchmark"})["KeyMetadata"]["Arn"]

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # the watchdog exits
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def spawn(argv, env, cwd, stdout_path=os.devnull, err_path=os.devnull):
    """(seconds, exit code) of one process, wall time around posix_spawn + waitpid."""
    acts = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    old = os.getcwd()
    os.chdir(cwd)  # posix_spawn inherits the working directory
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=acts)
        _, status = os.waitpid(pid, 0)
        dt = time.perf_counter() - t0
    finally:
        os.chdir(old)
    return dt, os.waitstatus_to_exitcode(status)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def plaintext(i):
    return ("name: file%03d\n"
            "db:\n"
            "    user: app%d\n"
            "    password: secret-%d-%s\n"
            "    port: %d\n"
            "replicas:\n"
            "    - eu-%d\n"
            "    - us-%d\n"
            "enabled: true\n" % (i, i, i, "x" * (i % 7), 5000 + i, i, i))


class Bench:
    """The work directory, the environment and the runs of one benchmark."""

    def __init__(self, leafseal, sops, moto, n, out, log, jobs=None):
        self.leafseal, self.sops, self.moto, self.n, self.out, self.log = leafseal, sops, moto, n, out, log
        self.jobs = jobs
        self.names = ["f%03d.yaml" % i for i in range(n)]
        home = os.path.join(out, "home")
        os.makedirs(home, exist_ok=True)
        env = corpus.tool_env(home)  # offline, no SOPS_* from the caller, test age key
        env = {k: v for k, v in env.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL_KMS": moto.endpoint(),
            "AWS_ENDPOINT_URL_STS": moto.endpoint(),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.path.join(home, "aws-config-none"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "aws-credentials-none"),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        })
        for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
            env.pop(k, None)
        self.env = env
        self.err = os.path.join(out, "last-stderr.txt")

    def path(self, *parts):
        return os.path.join(self.out, *parts)

    def run(self, argv, cwd, stdout_path=os.devnull):
        dt, code = spawn(argv, self.env, cwd, stdout_path, self.err)
        if code != 0:
            raise RuntimeError("%s exited %d: %s" % (" ".join(argv[:3]) + (" ..." if len(argv) > 3 else ""),
                                                     code, read(self.err).decode(errors="replace").strip()[-400:]))
        return dt

    def prepare(self):
        """Plaintexts, the KMS key, and the files encrypted once by sops."""
        for d in ("plain", "enc"):
            shutil.rmtree(self.path(d), ignore_errors=True)
            os.makedirs(self.path(d))
        self.arn = self.moto.create_key()
        self.log("KMS key %s; encrypting %d files with sops" % (self.arn, self.n))
        for i, name in enumerate(self.names):
            with open(self.path("plain", name), "w") as f:
                f.write(plaintext(i))
            self.run([self.sops, "encrypt", "--kms", self.arn, os.path.join("plain", name)], self.out,
                     self.path("enc", name))
        # updatekeys: the rule adds an age key to the KMS key every file already has.
        os.makedirs(self.path("upd"), exist_ok=True)
        with open(self.path("upd", ".sops.yaml"), "w") as f:
            f.write("creation_rules:\n  - path_regex: .*\\.yaml$\n    kms: %s\n    age: %s\n"
                    % (self.arn, corpus.AGE_RECIPIENT))

    def reset(self, case, tool):
        """Fresh copies of the encrypted files for a case that changes them; the cwd."""
        if case == "decrypt":
            out = self.path("dec", tool)
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            return self.out
        base = self.path("upd" if case == "updatekeys" else "rot")
        files = os.path.join(base, "files-" + tool)
        shutil.rmtree(files, ignore_errors=True)
        os.makedirs(files)
        for name in self.names:
            shutil.copyfile(self.path("enc", name), os.path.join(files, name))
        return base

    def timed(self, case, tool):
        """Seconds for one run of `tool` over all files (sops: one process per file)."""
        cwd = self.reset(case, tool)
        files = [os.path.join("files-" + tool, n) for n in self.names]
        if tool == "leafseal":
            jobs = ["--jobs", str(self.jobs)] if self.jobs else []
            if case == "decrypt":
                argv = [self.leafseal, "decrypt", "--output-dir", os.path.join("dec", "leafseal")] + jobs
                argv += [os.path.join("enc", n) for n in self.names]
            elif case == "updatekeys":
                argv = [self.leafseal, "updatekeys", "-y"] + jobs + files
            else:
                argv = [self.leafseal, "rotate", "-i"] + jobs + files
            return self.run(argv, cwd)
        total = 0.0
        for name, f in zip(self.names, files):
            if case == "decrypt":
                total += self.run([self.sops, "decrypt", os.path.join("enc", name)], cwd,
                                  self.path("dec", "sops", name))
            elif case == "updatekeys":
                total += self.run([self.sops, "updatekeys", "-y", f], cwd)
            else:
                total += self.run([self.sops, "rotate", "-i", f], cwd)
        return total

    def check(self, case):
        """Raise unless leafseal's result of `case` is right (see the module doc)."""
        self.timed(case, "leafseal")
        if case == "decrypt":
            self.timed(case, "sops")
            for i, name in enumerate(self.names):
                mine, ref = read(self.path("dec", "leafseal", name)), read(self.path("dec", "sops", name))
                if mine != ref:
                    raise RuntimeError("decrypt %s: leafseal's output differs from sops's" % name)
                if ref != plaintext(i).encode():
                    raise RuntimeError("decrypt %s: sops's output differs from the plaintext" % name)
            return
        base = self.path("upd" if case == "updatekeys" else "rot")
        env = dict(self.env)
        if case == "updatekeys":
            # Only the new age key: KMS is made unreachable for this check.
            env["AWS_ENDPOINT_URL_KMS"] = "http://127.0.0.1:9"
        for i, name in enumerate(self.names):
            f = os.path.join(base, "files-leafseal", name)
            if read(f) == read(self.path("enc", name)):
                raise RuntimeError("%s %s: leafseal left the file unchanged" % (case, name))
            out = self.path("check-" + name)
            _, code = spawn([self.sops, "decrypt", f], env, base, out, self.err)
            if code != 0:
                raise RuntimeError("%s %s: sops cannot decrypt leafseal's result (%d): %s" % (
                    case, name, code, read(self.err).decode(errors="replace").strip()[-300:]))
            if read(out) != plaintext(i).encode():
                raise RuntimeError("%s %s: sops decrypts leafseal's result to other text" % (case, name))
            os.remove(out)


def run_cases(leafseal, sops, moto_script, files=100, runs=3, out=None, cases=CASES, log=None, jobs=None):
    """Run the benchmark; a list of row dicts (see `render`). Raises RuntimeError on a failed
    run or check. `jobs`: leafseal's --jobs (None: its default)."""
    log = log or (lambda m: print(m, file=sys.stderr))
    out = out or os.path.join(ROOT, "target", "bench-many-files")
    os.makedirs(out, exist_ok=True)
    moto = Moto(moto_script, log)
    try:
        b = Bench(leafseal, sops, moto, files, out, log, jobs)
        b.prepare()
        rows = []
        for case in cases:
            b.check(case)
            times = {"leafseal": [], "sops": []}
            for _ in range(runs):
                for tool in ("leafseal", "sops"):
                    times[tool].append(b.timed(case, tool))
            ratios = [x / y for x, y in zip(times["leafseal"], times["sops"])]
            row = {
                "case": case, "files": files, "runs": runs,
                "leafseal_median_s": statistics.median(times["leafseal"]),
                "sops_median_s": statistics.median(times["sops"]),
                "ratio_median": statistics.median(ratios),
                "ratio_min": min(ratios), "ratio_max": max(ratios),
                "target": TARGET,
                "met": "yes" if statistics.median(ratios) <= TARGET else "NO",
                "leafseal_times_s": times["leafseal"], "sops_times_s": times["sops"],
            }
            rows.append(row)
            log("%-10s leafseal %.2f s  sops %.2f s  ratio %.3f" % (
                case, row["leafseal_median_s"], row["sops_median_s"], row["ratio_median"]))
        return rows
    finally:
        moto.stop()


def render(rows, markdown=False):
    head = ["case", "N files", "leafseal", "sops (N runs)", "ratio med", "ratio min-max", "target", "met"]
    body = [[r["case"], str(r["files"]), "%.2f s" % r["leafseal_median_s"], "%.2f s" % r["sops_median_s"],
             "%.3f" % r["ratio_median"], "%.3f-%.3f" % (r["ratio_min"], r["ratio_max"]),
             "<=%.2f" % r["target"], r["met"]] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body]) + "\n"
    w = [max(len(x) for x in col) for col in zip(head, *body)]
    fmt = lambda r: "  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip()  # noqa: E731
    return "\n".join([fmt(head), "  ".join("-" * x for x in w)] + [fmt(r) for r in body]) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per tool and case (default 3)")
    ap.add_argument("--files", type=int, default=100, help="number of files (default 100)")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated subset of " + ",".join(CASES))
    ap.add_argument("--leafseal", default=None, help="leafseal binary (default: build target/release/leafseal)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build --release")
    ap.add_argument("--sops", default=None, help="reference sops binary")
    ap.add_argument("--moto", default=None, help="moto_server script")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench-many-files"))
    ap.add_argument("--jobs", type=int, default=None, help="leafseal --jobs (default: leafseal's default, 8)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    a = ap.parse_args(argv)
    cases = [c for c in a.cases.split(",") if c]
    if a.runs < 1 or a.files < 1 or (a.jobs is not None and a.jobs < 1) or any(c not in CASES for c in cases):
        print("many_files.py: --runs and --files must be >= 1; cases are %s" % ", ".join(CASES), file=sys.stderr)
        return 2
    sops, why = corpus.find_sops(a.sops)
    if why:
        print("many_files.py: refusing to time a launcher script: " + why, file=sys.stderr)
        return 2
    if not sops:
        print("many_files.py: reference sops not found: set LEAFSEAL_SOPS, pass --sops, or run "
              "`bash scripts/test.sh` once (it installs sops 3.11.0 into .cache/venv)", file=sys.stderr)
        return 2
    moto = find_moto(a.moto)
    if not moto:
        print("many_files.py: moto_server not found: set LEAFSEAL_MOTO_SERVER, pass --moto, or run "
              "`bash scripts/test.sh` once (it installs moto[server] into .cache/venv)", file=sys.stderr)
        return 2
    leafseal = a.leafseal
    if not leafseal:
        leafseal = os.path.join(ROOT, "target", "release", "leafseal")
        if not a.no_build:
            print("many_files.py: cargo build --release", file=sys.stderr)
            if subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "leafseal"], cwd=ROOT).returncode:
                return 1
    leafseal = os.path.abspath(leafseal)
    if not os.access(leafseal, os.X_OK):
        print("many_files.py: no leafseal binary at %s" % leafseal, file=sys.stderr)
        return 2
    out = os.path.abspath(a.out)
    t0 = time.perf_counter()
    try:
        rows = run_cases(leafseal, os.path.abspath(sops), moto, a.files, a.runs, out, cases, jobs=a.jobs)
    except RuntimeError as e:
        print("many_files.py: ERROR %s" % e, file=sys.stderr)
        return 1
    print("leafseal: %s (one invocation over all files, --jobs %s)\nsops:     %s (one invocation per file)"
          % (leafseal, a.jobs or "default", sops))
    print("KMS: moto_server on 127.0.0.1; %d files; %d runs per tool and case, alternating\n" % (a.files, a.runs))
    print(render(rows, a.markdown))
    print("ratio = leafseal time / sops time for each alternating pair; target: <= %.2f" % TARGET)
    print("total %.1f s" % (time.perf_counter() - t0))
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"rows": rows, "files": a.files, "runs": a.runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
