"""Code size of the C runtime: the core (loader and verifier, planner, interpreter and their helpers) and each
kernel, compiled at -Os with -ffunction-sections, counted as .text + .rodata + .data (+ .bss, reported apart) of
the object files, which is what a stripped static link keeps. For x86-64 (gcc/cc) and aarch64
(aarch64-linux-gnu-gcc, when installed); -DEMBER_NO_OP_NAMES drops the op-name table, as size-constrained builds
do.

    python tools/size_report.py [--json] [--with-op-names]

Target (DESIGN.md): core <= 20 KB on x86-64 (TFLite Micro's framework is about 20 KB).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "edge_runtime"
CORE_LIMIT = 20 * 1024
TARGETS = {"x86-64": "gcc", "aarch64": "aarch64-linux-gnu-gcc"}
FLAGS = ["-std=c99", "-Os", "-ffunction-sections", "-fdata-sections", "-fno-asynchronous-unwind-tables",
         "-fno-stack-protector", "-DNDEBUG"]


def _group(source: Path) -> str:
    """'core', 'int8 arithmetic', 'optimised kernels' (the SIMD micro-kernels under gemm/ and the CPU feature probe,
    which a portable-only build, -DEMBER_PORTABLE_ONLY, compiles out), 'thread pool' (src/thread_pool.c, which
    -DEMBER_NO_THREADS reduces to an inline loop, and src/interpreter_threads.c, the interpreter's num_threads and
    the kernels' work split over the pool), 'shape propagation' (src/shape_propagation.c: the load-time
    recomputation of converter-written shapes with a dynamic batch, which a static-shape-only build could drop),
    'constant folding' (src/constant_folding.c: which nodes become prepare-time constants, float16 weights),
    'sparse weights' (src/sparsity.c: verifying and densifying TFLite's SparsityParameters),
    'custom ops' (src/custom_ops.c: the op resolver of caller-registered kernels and their hooks' accessors),
    'flexbuffer reader' (src/flexbuffer.c: custom_options of TFLite_Detection_PostProcess),
    'input resize' (src/resize.c: resize_tensor_input, re-planning and re-preparing after a resize, and
    src/preserve.c: experimental_preserve_all_tensors), which a fixed-shape build could drop,
    'int8 arithmetic' (src/quantization.c, src/fixed_point.c: requantisation and gemmlowp fixed point),
    'subgraphs and signatures' (src/subgraph.c: the checks of subgraph calls and running a subgraph;
    src/signature.c: SignatureDefs and the signature and subgraph calls of the API),
    'resource variables' (src/variables.c: resolving VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE to variables
    at create, CALL_ONCE's shared status and reset_variables; a model without state links none of it),
    'kernel <op file>' for each file under
    kernels/ that registers an op, or 'kernel support': the op table, option readers and what kernels share
    (kernels/window.c, pool.c, conv.c, broadcast.c, ...)."""
    part = source.relative_to(ROOT / "src").parts[0]
    if part == "gemm" or source.stem == "cpu_features":
        return "optimised kernels"
    if source.stem in ("thread_pool", "interpreter_threads"):
        return "thread pool"
    if source.stem == "shape_propagation":
        return "shape propagation"
    if source.stem == "constant_folding":
        return "constant folding"
    if source.stem == "sparsity":
        return "sparse weights"
    if source.stem == "custom_ops":
        return "custom ops"
    if source.stem == "flexbuffer":
        return "flexbuffer reader"
    if source.stem in ("resize", "preserve"):
        return "input resize"
    if source.stem in ("subgraph", "signature"):
        return "subgraphs and signatures"
    if source.stem == "variables":
        return "resource variables"
    if part == "kernels" and "const ember_kernel ember_kernel_" in source.read_text():
        return f"kernel {source.stem}"
    if part == "kernels" or source.stem in ("op_registry", "op_options"):
        return "kernel support"
    return "int8 arithmetic" if source.stem in ("quantization", "fixed_point") else "core"


def _section_bytes(size_tool: str, obj: Path) -> dict[str, int]:
    """.text/.rodata/.data/.bss totals of one object (size -A lists every section, -ffunction-sections
    included)."""
    out = subprocess.run([size_tool, "-A", str(obj)], capture_output=True, text=True, check=True).stdout
    totals = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        name = parts[0]
        for kind in totals:
            if name == f".{kind}" or name.startswith(f".{kind}."):
                totals[kind] += int(parts[1])
    return totals


def measure(compiler: str, op_names: bool, extra: tuple[str, ...] = ()) -> dict[str, dict[str, int]]:
    size_tool = shutil.which(compiler.replace("gcc", "size")) if compiler != "gcc" else shutil.which("size")
    if not size_tool:
        size_tool = shutil.which("size")
    flags = FLAGS + ([] if op_names else ["-DEMBER_NO_OP_NAMES"]) + list(extra)
    groups: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted((ROOT / "src").rglob("*.c")):
            obj = Path(tmp) / f"{source.parent.name}_{source.stem}.o"  # stems are unique within a folder
            subprocess.run([compiler, *flags, f"-I{ROOT / 'include'}", f"-I{ROOT / 'src'}", "-c", str(source),
                            "-o", str(obj)], check=True)
            sizes = _section_bytes(size_tool, obj)
            total = groups.setdefault(_group(source), {"text": 0, "rodata": 0, "data": 0, "bss": 0})
            for kind, n in sizes.items():
                total[kind] += n
    for sizes in groups.values():
        sizes["total"] = sizes["text"] + sizes["rodata"] + sizes["data"]
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--with-op-names", action="store_true", help="keep the op-name table (default: dropped)")
    args = parser.parse_args(argv)
    report: dict[str, object] = {"flags": FLAGS + ([] if args.with_op_names else ["-DEMBER_NO_OP_NAMES"]),
                                 "core_limit_bytes": CORE_LIMIT, "targets": {}}
    for target, compiler in TARGETS.items():
        if not shutil.which(compiler):
            report["targets"][target] = {"skipped": f"{compiler} not installed"}
            continue
        groups = measure(compiler, args.with_op_names)
        kernels = sum(v["total"] for k, v in groups.items() if k != "core")
        portable = measure(compiler, args.with_op_names, ("-DEMBER_PORTABLE_ONLY",))
        report["targets"][target] = {
            "groups": groups, "core_bytes": groups["core"]["total"], "kernels_bytes": kernels,
            "total_bytes": groups["core"]["total"] + kernels,
            "optimised_bytes": groups.get("optimised kernels", {}).get("total", 0),
            # What a microcontroller build keeps: every group, with the SIMD paths compiled out.
            "portable_only_total_bytes": sum(v["total"] for v in portable.values()),
        }
    if args.json:
        print(json.dumps(report))
    else:
        for target, data in report["targets"].items():
            print(f"== {target} ({' '.join(report['flags'])})")
            if "skipped" in data:
                print(f"   skipped: {data['skipped']}")
                continue
            print(f"   {'part':<28}{'text':>8}{'rodata':>8}{'data':>6}{'bss':>6}{'total':>9}")
            for name, s in sorted(data["groups"].items(), key=lambda kv: (kv[0] != "core", kv[0])):
                print(f"   {name:<28}{s['text']:>8}{s['rodata']:>8}{s['data']:>6}{s['bss']:>6}{s['total']:>9}")
            print(f"   {'core':<28}{data['core_bytes']:>37}  (limit {CORE_LIMIT})")
            print(f"   {'kernels, support, int8 math':<28}{data['kernels_bytes']:>37}")
            print(f"   {'all':<28}{data['total_bytes']:>37}  (optimised kernels {data['optimised_bytes']})")
            print(f"   {'all, -DEMBER_PORTABLE_ONLY':<28}{data['portable_only_total_bytes']:>37}")
    x86 = report["targets"].get("x86-64", {})
    return 1 if isinstance(x86, dict) and x86.get("core_bytes", 0) > CORE_LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
