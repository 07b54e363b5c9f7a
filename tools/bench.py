"""`ember bench MODEL.tflite [--adb [--serial S]] [--num_threads N] [--num_runs N] [--json]`: latency of a model on
this machine or, with `--adb`, on a phone. It builds `ember-bench` (edge_runtime/tools/ember_bench.c) once per
target and source version into a cache folder (`EMBER_CACHE_DIR`, default `~/.cache/ember`) and reuses it; for a
phone it asks the device's ABI (`adb shell getprop ro.product.cpu.abi`), builds the static aarch64, armv7 or
x86-64 binary with the cross toolchain files of edge_runtime/cmake/, pushes it and the model to
/data/local/tmp/ember, runs it, pulls its output and prints the summary table."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

RUNTIME = Path(__file__).resolve().parents[1] / "edge_runtime"
REMOTE_DIR = "/data/local/tmp/ember"
APT = "sudo apt-get install"

# target -> (toolchain file in edge_runtime/cmake or None for the host compiler, compiler, Debian packages, static)
TARGETS: dict[str, tuple[str | None, str, str, bool]] = {
    "host": (None, "cc", "gcc", False),
    "aarch64": ("aarch64-linux-gnu.cmake", "aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
                True),
    "armv7": ("armv7-linux-gnueabihf.cmake", "arm-linux-gnueabihf-gcc",
              "gcc-arm-linux-gnueabihf libc6-dev-armhf-cross", True),
    "x86_64": (None, "cc", "gcc", True),
}
# Android ABI (ro.product.cpu.abi) -> target
ABIS = {"arm64-v8a": "aarch64", "armeabi-v7a": "armv7", "x86_64": "x86_64"}


class BenchError(Exception):
    """A problem the user can fix; the message says what is missing and how to get it."""


def cache_dir() -> Path:
    if os.environ.get("EMBER_CACHE_DIR"):
        return Path(os.environ["EMBER_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ember"


def _sources_key() -> str:
    """Hash of everything ember-bench is built from, so that an edited runtime gets a new binary."""
    digest = hashlib.sha256()
    files = [RUNTIME / "CMakeLists.txt", RUNTIME / "tools" / "ember_bench.c"]
    for folder in ("src", "include", "cmake"):
        files += sorted(p for p in (RUNTIME / folder).rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(RUNTIME)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def build_bench(target: str, log=print) -> Path:
    """Path of ember-bench for `target` (see TARGETS), built with CMake on first use and reused after."""
    if not (RUNTIME / "CMakeLists.txt").is_file():
        raise BenchError(f"the edge_runtime sources are not at {RUNTIME}: ember bench builds ember-bench from a "
                         "checkout of Ember (git clone, then pip install -e .)")
    toolchain, compiler, packages, static = TARGETS[target]
    exe = cache_dir() / f"ember-bench-{target}-{_sources_key()}" / "ember-bench"
    if exe.is_file():
        log(f"reusing {exe}")
        return exe
    missing = [tool for tool in ("cmake", compiler) if shutil.which(tool) is None]
    if missing:
        raise BenchError(f"building ember-bench for {target} needs {' and '.join(missing)}: {APT} cmake {packages}")
    log(f"building ember-bench for {target} into {exe.parent} (once; later runs reuse it)")
    build = exe.parent / "build"
    args = ["cmake", "-S", str(RUNTIME), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release", "-DEMBER_BUILD_TESTS=OFF",
            "-DEMBER_WERROR=OFF"]
    if toolchain:
        args.append(f"-DCMAKE_TOOLCHAIN_FILE={RUNTIME / 'cmake' / toolchain}")
    elif static:
        args.append("-DEMBER_STATIC=ON")
    if shutil.which("ccache"):
        args.append("-DCMAKE_C_COMPILER_LAUNCHER=ccache")
    jobs = os.environ.get("EMBER_BUILD_JOBS") or str(os.cpu_count() or 2)
    for step in (args, ["cmake", "--build", str(build), "--target", "ember-bench", "--parallel", jobs]):
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            raise BenchError(f"building ember-bench for {target} failed ({' '.join(step)}):\n"
                             f"{(result.stdout + result.stderr)[-3000:]}")
    partial = exe.with_suffix(".partial")
    shutil.copy2(build / "ember-bench", partial)
    os.replace(partial, exe)  # a build killed half-way never leaves a binary that looks finished
    return exe


def _bench_args(graph: str, args: Any) -> list[str]:
    resize = [f"--{flag}={getattr(args, flag)}" for flag in ("input_layer", "input_layer_shape")
              if getattr(args, flag, None)]
    return [f"--graph={graph}", f"--num_runs={args.num_runs}", f"--warmup_runs={args.warmup_runs}",
            f"--num_threads={args.num_threads}", *resize, "--enable_op_profiling", "--json"]


def _report(text: str) -> dict[str, Any]:
    """ember-bench's JSON: the last line of its output."""
    lines = text.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise BenchError(f"ember-bench printed no JSON report:\n{text[-3000:]}") from None


# ---- adb --------------------------------------------------------------------------------------------------


class Adb:
    """`adb` on one device, every failure a BenchError with adb's own words."""

    def __init__(self, serial: str | None) -> None:
        self.exe = os.environ.get("ADB") or shutil.which("adb")
        if not self.exe:
            raise BenchError("adb not found on PATH: install the Android SDK platform-tools "
                             "(https://developer.android.com/tools/releases/platform-tools, or "
                             f"'{APT} adb'), put adb on PATH or set ADB=/path/to/adb, then connect a phone with "
                             "USB debugging enabled (Settings > Developer options)")
        self.serial = self._pick(serial)

    def _run(self, args: list[str], serial: bool = True) -> str:
        cmd = [self.exe, *(["-s", self.serial] if serial else []), *args]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{' '.join(cmd)} did not finish in 600 s") from None
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip()
            raise BenchError(f"{' '.join(cmd)} failed ({result.returncode}): {said}")
        return result.stdout

    def _pick(self, serial: str | None) -> str:
        states = {}
        for line in self._run(["devices"], serial=False).splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 2:
                states[fields[0]] = fields[1]
        ready = [s for s, state in states.items() if state == "device"]
        if serial is not None:
            if serial not in states:
                raise BenchError(f"no device '{serial}': `adb devices` lists {sorted(states) or 'none'}")
            if states[serial] != "device":
                raise BenchError(self._state_help(serial, states[serial]))
            return serial
        if not ready:
            if states:
                raise BenchError("; ".join(self._state_help(s, st) for s, st in states.items()))
            raise BenchError("no device connected: `adb devices` lists none. Connect a phone by USB with USB "
                             "debugging enabled (Settings > About phone: tap Build number 7 times; then Developer "
                             "options > USB debugging) and accept the prompt, or start an emulator")
        if len(ready) > 1:
            raise BenchError(f"{len(ready)} devices connected ({', '.join(ready)}): pick one with --serial")
        return ready[0]

    @staticmethod
    def _state_help(serial: str, state: str) -> str:
        if state == "unauthorized":
            return f"device {serial} is unauthorized: unlock it and accept the 'Allow USB debugging?' prompt"
        return f"device {serial} is {state}, not ready: reconnect it (adb kill-server; adb devices)"

    def shell(self, command: str) -> str:
        return self._run(["shell", command])

    def push(self, local: Path, remote: str) -> None:
        self._run(["push", str(local), remote])

    def pull(self, remote: str, local: Path) -> None:
        self._run(["pull", remote, str(local)])


def bench_on_device(model: Path, args: Any, log=print) -> dict[str, Any]:
    adb = Adb(args.serial)
    abi = adb.shell("getprop ro.product.cpu.abi").strip()
    if abi not in ABIS:
        raise BenchError(f"device {adb.serial} has ABI '{abi}'; ember bench builds for {', '.join(ABIS)}")
    exe = build_bench(ABIS[abi], log)
    remote_model = f"{REMOTE_DIR}/{model.name}"
    log(f"device {adb.serial} ({abi}): pushing ember-bench and {model.name} to {REMOTE_DIR}")
    adb.shell(f"mkdir -p {REMOTE_DIR}")
    adb.push(exe, f"{REMOTE_DIR}/ember-bench")
    adb.push(model, remote_model)
    adb.shell(f"chmod 755 {REMOTE_DIR}/ember-bench")
    run = " ".join(shlex.quote(a) for a in _bench_args(remote_model, args))
    # The exit status travels in the output: adb before Android 7 does not return the remote one.
    out = adb.shell(f"cd {REMOTE_DIR} && ./ember-bench {run} > bench.json 2>&1; echo ember-bench-exit=$?")
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "bench.json"
        adb.pull(f"{REMOTE_DIR}/bench.json", local)
        text = local.read_text(errors="replace")
    if "ember-bench-exit=0" not in out:
        raise BenchError(f"ember-bench failed on {adb.serial} ({out.strip()}):\n{text[-3000:]}")
    report = _report(text)
    report["device"] = {"serial": adb.serial, "abi": abi, "model": adb.shell("getprop ro.product.model").strip()}
    return report


def bench_here(model: Path, args: Any, log=print) -> dict[str, Any]:
    exe = build_bench("host", log)
    result = subprocess.run([str(exe), *_bench_args(str(model), args)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"ember-bench failed ({result.returncode}): {result.stderr.strip()}")
    report = _report(result.stdout)
    report["device"] = {"serial": "local", "abi": os.uname().machine, "model": os.uname().nodename}
    return report


def print_table(report: dict[str, Any], out=sys.stdout) -> None:
    device = report["device"]
    where = "this machine" if device["serial"] == "local" else f"{device['model']} ({device['serial']})"
    print(f"\n{report['graph']} on {where}, {device['abi']}: {report['num_threads']} thread(s), "
          f"{report['num_runs']} runs after {report['warmup_runs']} warm-up", file=out)
    rows = [("model bytes", f"{report['model_bytes']:,}"), ("arena bytes", f"{report['arena_bytes']:,}"),
            ("init (create + allocate)", f"{report['init_us']:,.1f} us"),
            ("first inference", f"{report['first_inference_us']:,.1f} us")]
    if report.get("input_shapes"):  # ember-bench of issue 14 on: the shapes after --input_layer_shape
        rows.insert(2, ("input shapes", " ".join(",".join(map(str, s)) for s in report["input_shapes"])))
    rows += [(name, f"{report[key]:,.1f} us") for name, key in
             (("min", "min_us"), ("median", "median_us"), ("p90", "p90_us"), ("p99", "p99_us"), ("mean", "mean_us"))]
    for name, value in rows:
        print(f"  {name:<26}{value:>16}", file=out)
    ops = report.get("ops") or []
    total = sum(op["avg_us"] for op in ops) or 1.0
    if ops:
        print(f"\n  {'node':>4}  {'op':<22}{'avg us':>10}{'%':>8}", file=out)
        for op in ops:
            share = 100 * op["avg_us"] / total
            print(f"  {op['node']:>4}  {op['op']:<22}{op['avg_us']:>10.2f}{share:>7.1f}%", file=out)


def run(args: Any) -> int:
    model = Path(args.model)
    if not model.is_file():
        print(f"ember bench: no model file '{model}'", file=sys.stderr)
        return 1
    log = (lambda msg: print(msg, file=sys.stderr)) if args.json else print
    try:
        report = bench_on_device(model, args, log) if args.adb else bench_here(model, args, log)
    except BenchError as e:
        print(f"ember bench: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report))
    else:
        print_table(report)
    return 0
