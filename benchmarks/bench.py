#!/usr/bin/env python3
"""pcitime benchmarks (issue 7): ratios measured in one run, the two sides
alternating (A B, then B A), each repeated to show the spread.

Run through scripts/bench, which builds pcitime and installs what is missing.
Sections (all by default; name some to run only those):

  start     this machine, live (issue 14): 'pcitime scan' vs 'lspci -vvv',
            'pcitime scan -n' vs 'lspci -n', 'pcitime --help' vs 'lspci --help':
            wall time (paired, alternating; then hyperfine's own medians),
            peak RSS (goal: at most lspci's + 2 MiB), and the stripped binary
            plus the shared libraries it loads against lspci's
  lspci     scan vs lspci: wall time and peak RSS, this machine, every fixture
            in fixtures/sysfs and the synthetic 8,192-function tree:
            'pcitime scan --method sysfs' vs 'lspci -vvv' (names on, text),
            'pcitime scan --json' vs 'lspci -vmm -xxx'
  overhead  pcitime's per-access median vs the C loop (scripts/bench-overhead,
            sysfs on this machine)
  scale     offline scale: synthetic trees of 2,048 / 4,096 / 8,192 functions
            (pcitime scan --root, text with names) and kernel logs of 250,000 /
            500,000 / 1,000,000 lines (pcitime boot --dmesg FILE --no-measure):
            time, throughput, peak RSS, cost per function / per line
  guest     QEMU guest (TCG, scripts/guest q35 --timing): brute ECAM scan,
            accesses per second against 'cref ecam-brute'; per-access median of
            ecam and pio against cref (slow: about a minute; not in the default
            set unless --guest)

Peak memory is "Maximum resident set size" as GNU time reports it for the
command (see run(): a child's own ru_maxrss would carry Python's).
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
RSS_FILE = os.path.join(tempfile.gettempdir(), f"pcitime-bench-rss-{os.getpid()}")


def run(cmd, stdout=None, env=None):
    """Wall seconds, peak RSS (KiB) and exit status of one run, output discarded.
    A child spawned from Python inherits Python's RSS high-water mark into its
    ru_maxrss (Linux keeps it across exec), so the peak comes from GNU time's
    own child (time's few hundred KiB, not Python's 16 MiB); both sides pay
    time's fork and exec alike."""
    out = os.open(stdout or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(os.devnull, os.O_WRONLY)
    full = [TIME, "-f", "%M", "-o", RSS_FILE] + cmd if TIME else cmd
    t0 = time.perf_counter()
    pid = os.posix_spawnp(full[0], full, env or os.environ, file_actions=[
        (os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)])
    _, status, ru = os.wait4(pid, 0)
    t = time.perf_counter() - t0
    os.close(out); os.close(err)
    rss = ru.ru_maxrss
    if TIME:
        with open(RSS_FILE) as f:
            rss = int(f.read().split()[-1])
    return t, rss, os.waitstatus_to_exitcode(status)


def alternate(a, b, rounds):
    """Runs a and b `rounds` times each, alternating which goes first."""
    ra, rb = [], []
    for i in range(rounds):
        if i % 2 == 0:
            ra.append(run(a)); rb.append(run(b))
        else:
            rb.append(run(b)); ra.append(run(a))
    return ra, rb


def fmt_s(t):
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def fmt_kb(k):
    return f"{k / 1024:.1f} MiB"


def spread(xs):
    return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"


SUMMARY = []


def ratio_line(label, ra, rb, goal=1.0):
    wall = [x[0] / y[0] for x, y in zip(ra, rb)]
    mem = [x[1] / y[1] for x, y in zip(ra, rb)]
    ta, tb = statistics.median(x[0] for x in ra), statistics.median(y[0] for y in rb)
    ma, mb = statistics.median(x[1] for x in ra), statistics.median(y[1] for y in rb)
    bad = [x[2] for x in ra + rb if x[2] not in (0,)]
    w, m = statistics.median(wall), statistics.median(mem)
    print(f"  {label:<44} {fmt_s(ta):>9} {fmt_s(tb):>9}  wall {spread(wall)} {'ok' if w <= goal else 'MISS'}"
          f"   {fmt_kb(ma):>9} {fmt_kb(mb):>9}  rss {spread(mem)} {'ok' if m <= goal else 'MISS'}"
          + (f"  (exit codes {sorted(set(bad))})" if bad else ""))
    SUMMARY.append((label, w, m))


def lspci_section(pcitime, rounds, tree8k):
    lspci = shutil.which("lspci")
    print(f"\n== scan vs lspci: pcitime / lspci, median of {rounds} alternating rounds (min-max); goal <= 1.0")
    print(f"  {'target: pcitime command vs lspci command':<44} {'pcitime':>9} {'lspci':>9}  ratio (wall)              "
          f"{'pcitime':>9} {'lspci':>9}  ratio (peak RSS)")
    targets = [("this machine", None)]
    fx = os.path.join(REPO, "fixtures", "sysfs")
    targets += [(f"fixture {n}", os.path.join(fx, n)) for n in sorted(os.listdir(fx))]
    targets.append(("synthetic 8192 functions", tree8k))
    for name, root in targets:
        r = [] if root is None else ["--root", root]
        l = [] if root is None else ["-A", "linux-sysfs", "-O", f"sysfs.path={root}/sys/bus/pci"]
        n = max(3, rounds // 3) if root == tree8k else rounds
        ra, rb = alternate([pcitime, "scan", "--method", "sysfs"] + r, [lspci] + l + ["-vvv"], n)
        ratio_line(f"{name}: scan --method sysfs vs -vvv", ra, rb)
        ra, rb = alternate([pcitime, "scan", "--json"] + r, [lspci] + l + ["-vmm", "-xxx"], n)
        ratio_line(f"{name}: scan --json vs -vmm -xxx", ra, rb)


def loaded_files(binary):
    """The binary and every shared library ldd says it loads (the loader too), with sizes."""
    libs = set()
    for line in subprocess.run(["ldd", binary], capture_output=True, text=True).stdout.splitlines():
        w = line.split()
        if "=>" in w and len(w) > 2 and w[2].startswith("/"):
            libs.add(w[2])
        elif w and w[0].startswith("/"):
            libs.add(w[0])
    return [(f, os.path.getsize(os.path.realpath(f))) for f in [binary] + sorted(libs)]


def start_section(pcitime, rounds):
    lspci = shutil.which("lspci")
    print(f"\n== start: this machine, live; median of {rounds} paired alternating rounds (min-max); "
          f"goal: wall ratio <= 1.0, peak RSS <= lspci's + 2 MiB")
    pairs = [("scan vs lspci -vvv", [pcitime, "scan"], [lspci, "-vvv"]),
             ("scan -n vs lspci -n", [pcitime, "scan", "-n"], [lspci, "-n"]),
             ("--help vs lspci --help", [pcitime, "--help"], [lspci, "--help"])]
    for label, a, b in pairs:
        for _ in range(2):  # warm the page cache
            run(a); run(b)
        ra, rb = alternate(a, b, rounds)
        wall = statistics.median(x[0] / y[0] for x, y in zip(ra, rb))
        ma, mb = statistics.median(x[1] for x in ra), statistics.median(y[1] for y in rb)
        print(f"  {label:<26} {fmt_s(statistics.median(x[0] for x in ra)):>9} {fmt_s(statistics.median(y[0] for y in rb)):>9}"
              f"  wall ratio {spread([x[0] / y[0] for x, y in zip(ra, rb)])} {'ok' if wall <= 1.0 else 'MISS'}"
              f"   peak RSS {fmt_kb(ma)} vs {fmt_kb(mb)} ({(ma - mb) / 1024:+.1f} MiB) {'ok' if ma <= mb + 2048 else 'MISS'}")
        SUMMARY.append((f"start: {label}", wall, ma / mb))
    if shutil.which("hyperfine"):
        with tempfile.TemporaryDirectory() as t:
            for label, a, b in pairs:
                j = os.path.join(t, "h.json")
                subprocess.run(["hyperfine", "-N", "-i", "--warmup", "3", "--runs", str(max(rounds, 10)), "--export-json", j,
                                " ".join(a), " ".join(b)], check=True, capture_output=True)
                res = json.load(open(j))["results"]
                ta, tb = res[0]["median"], res[1]["median"]
                print(f"  hyperfine -N {label:<26} {fmt_s(ta):>9} {fmt_s(tb):>9}  ratio of medians {ta / tb:.3f}")
    mine, theirs = loaded_files(pcitime), loaded_files(lspci)
    print(f"  size: pcitime {os.path.getsize(pcitime) / 1e6:.1f} MB (file), with the libraries it loads "
          f"{sum(s for _, s in mine) / 1e6:.1f} MB ({len(mine) - 1} libraries); lspci {os.path.getsize(lspci) / 1e3:.0f} KB, "
          f"with its libraries {sum(s for _, s in theirs) / 1e6:.1f} MB ({len(theirs) - 1}); "
          f"lspci + libpci {sum(s for f, s in theirs if f == lspci or 'libpci' in f) / 1e3:.0f} KB")
    print(f"  pcitime loads: {' '.join(os.path.basename(f) for f, _ in mine[1:])}")


def overhead_section(pcitime, quick):
    samples, rounds = ("300", "4") if quick else ("1000", "6")
    env = dict(os.environ, PCITIME=pcitime)
    env.setdefault("PIN", "1" if os.cpu_count() and os.cpu_count() > 1 else "0")
    cmd = [os.path.join(REPO, "scripts", "bench-overhead"), "sysfs", "0000:00:00.0", samples, rounds]
    print(f"\n== timing overhead: PIN={env['PIN']} scripts/bench-overhead sysfs 0000:00:00.0 {samples} {rounds}; goal <= 1.05")
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in p.stdout.splitlines():
        print("  " + line)
    m = re.search(r"median ratio pcitime/cref over \d+ rounds: ([\d.]+)", p.stdout)
    if p.returncode != 0 or not m:
        print("  bench-overhead failed: " + p.stderr.strip()[-300:])
        return
    SUMMARY.append(("timing overhead sysfs (pcitime p50 / cref median)", float(m.group(1)), None))


def fit(xs, ys):
    """Least squares y = a + b x; returns a, b and the largest relative residual."""
    n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    a = my - b * mx
    worst = max(abs(y - (a + b * x)) / y for x, y in zip(xs, ys))
    return a, b, worst


def scale_section(pcitime, rounds, work, quick):
    print(f"\n== offline scale (median of {rounds} runs each)")
    print("  synthetic trees: pcitime scan --method sysfs --root TREE (text, names on); goal: 8,192 functions < 1 s")
    sizes = [64, 128, 256]
    xs, ys = [], []
    for buses in sizes:
        tree = os.path.join(work, f"tree-{buses}")
        if not os.path.isdir(tree):
            subprocess.run([os.path.join(HERE, "gen-tree"), tree, str(buses)], check=True, stdout=subprocess.DEVNULL)
        rs = [run([pcitime, "scan", "--method", "sysfs", "--root", tree]) for _ in range(rounds)]
        t = statistics.median(r[0] for r in rs); k = statistics.median(r[1] for r in rs)
        n = buses * 32
        xs.append(n); ys.append(t)
        print(f"  {n:>6} functions  {fmt_s(t):>9} (min {fmt_s(min(r[0] for r in rs))})  {n / t:>9.0f} functions/s  "
              f"{t / n * 1e6:6.1f} us/function  peak {fmt_kb(k)}")
    a, b, worst = fit(xs, ys)
    print(f"  fit: {a * 1000:.1f} ms + {b * 1e6:.1f} us x functions (largest residual {worst * 100:.1f}%)")
    SUMMARY.append(("scan of 8,192 functions, seconds (goal < 1)", ys[-1], None))

    print("  kernel logs: pcitime boot --dmesg LOG --no-measure; goal: 1,000,000 lines > 50 MB/s, memory bounded")
    lines = [250_000, 500_000, 1_000_000]
    xs, ys = [], []
    for n in lines:
        log = os.path.join(work, f"log-{n}.txt")
        if not os.path.exists(log):
            subprocess.run([os.path.join(HERE, "gen-log"), log, str(n)], check=True, stdout=subprocess.DEVNULL)
        size = os.path.getsize(log)
        rs = [run([pcitime, "boot", "--dmesg", log, "--no-measure"]) for _ in range(rounds)]
        t = statistics.median(r[0] for r in rs); k = statistics.median(r[1] for r in rs)
        xs.append(n); ys.append(t)
        print(f"  {n:>9} lines {size / 1e6:6.1f} MB  {fmt_s(t):>9}  {size / 1e6 / t:7.1f} MB/s  {t / n * 1e9:6.0f} ns/line  peak {fmt_kb(k)}")
        last_rate, last_rss = size / 1e6 / t, k
    a, b, worst = fit(xs, ys)
    print(f"  fit: {a * 1000:.1f} ms + {b * 1e9:.0f} ns x lines (largest residual {worst * 100:.1f}%)")
    SUMMARY.append(("kernel log 1,000,000 lines, MB/s (goal > 50)", last_rate, None))


def guest_section(pcitime, rounds):
    print(f"\n== QEMU guest (TCG, q35, --timing): {rounds} alternating rounds")
    out = tempfile.mkdtemp(prefix="pcitime-bench-guest-")
    cmds = []
    for i in range(rounds):
        pair = ["cref ecam-brute 3", "cref time pcitime scan --method mmio --brute --repeat 3"]
        cmds += pair if i % 2 == 0 else pair[::-1]
    cmds += ["pcitime scan --method mmio --brute --json", "cref time pcitime scan --method mmio --brute"]
    for i in range(rounds):
        for m in (["ecam", "pio"] if i % 2 == 0 else ["pio", "ecam"]):
            pair = [f"cref {m} 0000:00:02.0 1000", f"pcitime scan --method {m} -s 00:02.0 --repeat 100 --json"]
            cmds += pair if i % 2 == 0 else pair[::-1]
    p = subprocess.run([os.path.join(REPO, "scripts", "guest"), "q35", "--timing", "--timeout", "600", "--bin", pcitime,
                        "--out", out, "--"] + cmds, capture_output=True, text=True)
    if p.returncode != 0:
        print("  scripts/guest failed: " + (p.stderr or p.stdout).strip()[-500:])
        return
    outs = [open(os.path.join(out, f"cmd-{i + 1}.out")).read() for i in range(len(cmds))]
    js = {}
    for c, o in zip(cmds, outs):
        try:
            js.setdefault(c, []).append(json.loads(o[o.index("{"):]))
        except ValueError:
            print(f"  no JSON from '{c}': {o.strip()[-200:]}")
            return
    scan = js["pcitime scan --method mmio --brute --json"][0]
    per_pass = scan["totals"]["reads"]
    one = js["cref time pcitime scan --method mmio --brute"][0]["wall_ns"] / 1e9
    c_rate = [r["accesses_per_s"] for r in js["cref ecam-brute 3"]]
    p_wall = [r["wall_ns"] / 1e9 for r in js["cref time pcitime scan --method mmio --brute --repeat 3"]]
    p_rate = [3 * per_pass / w for w in p_wall]
    # Per pass, start-up removed: (3 passes - 1 pass) / 2.
    p_pass = [(w - one) / 2 for w in p_wall]
    p_rate_walk = [per_pass / t for t in p_pass]
    print(f"  brute ECAM, 256 buses: {per_pass} config reads per pass ({scan['totals']['empty_probe_reads']} empty probes, "
          f"{scan['totals']['functions']} functions); pcitime p50 per access {scan['totals']['latency_ns']['p50']} ns")
    print(f"  cref ecam-brute:        {statistics.median(c_rate):>12,.0f} accesses/s (probes only)")
    print(f"  pcitime, whole process: {statistics.median(p_rate):>12,.0f} accesses/s (3 passes, start-up included; 1 pass: {fmt_s(one)})")
    print(f"  pcitime, per pass:      {statistics.median(p_rate_walk):>12,.0f} accesses/s (start-up removed)")
    SUMMARY.append(("guest brute ECAM: cref / pcitime accesses per second (per pass)",
                    statistics.median(c_rate) / statistics.median(p_rate_walk), None))
    for m in ("ecam", "pio"):
        c = [r["median_ns"] for r in js[f"cref {m} 0000:00:02.0 1000"]]
        q = []
        for r in js[f"pcitime scan --method {m} -s 00:02.0 --repeat 100 --json"]:
            f = next(f for f in r["functions"] if f["bdf"].endswith("00:02.0"))
            q.append(f["latency_ns"]["p50"])
        rat = [a / b for a, b in zip(q, c)]
        print(f"  per access {m}: pcitime p50 {statistics.median(q)} ns, cref median {statistics.median(c)} ns, ratio {spread(rat)}")
        SUMMARY.append((f"guest timing overhead {m} (pcitime p50 / cref median)", statistics.median(rat), None))
    shutil.rmtree(out, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sections", nargs="*", default=[], help="start lspci overhead scale guest")
    ap.add_argument("--pcitime", required=True)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--quick", action="store_true", help="fewer rounds and samples")
    ap.add_argument("--guest", action="store_true", help="also run the QEMU guest section")
    ap.add_argument("--work", default=os.path.join(REPO, ".cache", "bench"), help="generated inputs (kept between runs)")
    a = ap.parse_args()
    sections = a.sections or ["start", "lspci", "overhead", "scale"] + (["guest"] if a.guest else [])
    rounds = 3 if a.quick else a.rounds
    os.makedirs(a.work, exist_ok=True)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"pcitime benchmarks: {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs ({cpu}), "
          f"{os.uname().release}, lspci {subprocess.run(['lspci', '--version'], capture_output=True, text=True).stdout.split()[-1]}")
    print(f"pcitime: {a.pcitime}")
    tree8k = os.path.join(a.work, "tree-256")
    if ("lspci" in sections or "scale" in sections) and not os.path.isdir(tree8k):
        subprocess.run([os.path.join(HERE, "gen-tree"), tree8k, "256"], check=True, stdout=subprocess.DEVNULL)
    if "start" in sections:
        start_section(a.pcitime, rounds)
    if "lspci" in sections:
        lspci_section(a.pcitime, rounds, tree8k)
    if "overhead" in sections:
        overhead_section(a.pcitime, a.quick)
    if "scale" in sections:
        scale_section(a.pcitime, 3 if a.quick else 5, a.work, a.quick)
    if "guest" in sections:
        guest_section(a.pcitime, 3)
    print("\n== summary")
    for label, w, m in SUMMARY:
        print(f"  {label:<70} {w:8.3f}" + (f"   peak RSS ratio {m:.3f}" if m is not None else ""))


if __name__ == "__main__":
    main()
