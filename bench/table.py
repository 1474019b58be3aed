#!/usr/bin/env python3
"""Turns sigv4_bench JSON runs into the README's table.

    ./build-rel/bench/sigv4_bench --benchmark_repetitions=10 --benchmark_min_time=0.2 \
        --benchmark_enable_random_interleaving=true --benchmark_format=json > run1.json
    (three runs: run1, run2, run3)
    python3 bench/table.py run1.json run2.json run3.json

Each run gives the median of its repetitions per benchmark; its ratio to the floor is taken
within that run (the floor measured in the same binary and run). The table shows, per
benchmark, the median over the runs of the time and of the ratio, and the range of the ratio;
a row with the counter batch_size (BM_presign_batch) is given per item of its batch.
"""
import json
import statistics
import sys


def context(path):
    with open(path) as f:
        return json.load(f).get("context", {})


def medians(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"].replace("/real_time", "")] = b
    if "BM_floor" not in out:
        sys.exit(f"{path}: no BM_floor median (run with --benchmark_repetitions)")
    return out


def main(paths):
    runs = [medians(p) for p in paths]
    ctx = context(paths[0])
    # the machine (bench_sigv4.cpp's custom context): these machines are not all alike
    print(f"Machine: {ctx.get('cpu_model', 'unknown CPU')}, {ctx.get('num_cpus', '?')} CPUs at "
          f"{ctx.get('mhz_per_cpu', '?')} MHz, SHA-NI: {ctx.get('cpu_sha_ni', '?')}; "
          f"{ctx.get('openssl', 'OpenSSL ?')} ({ctx.get('sha256_backend', '?')}); {len(paths)} runs.")
    print()
    # in the order the benchmarks are registered (random interleaving shuffles the JSON)
    names = sorted(runs[0], key=lambda n: (runs[0][n].get("family_index", 0),
                                           runs[0][n].get("per_family_instance_index", 0)))
    print("| benchmark | median time per op | ops/second | × floor (range over runs) | allocations per op |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in names:
        # a batch row (counter batch_size) is given per item of the batch
        per = {id(r): r[name].get("batch_size", 1.0) for r in runs if name in r}
        times = [r[name]["real_time"] / per[id(r)] for r in runs if name in r]
        ratios = [r[name]["real_time"] / per[id(r)] / r["BM_floor"]["real_time"] for r in runs if name in r]
        allocs = [r[name].get("allocs_per_op", 0.0) / per[id(r)] for r in runs if name in r]
        t = statistics.median(times)
        # two threads: the wall time per operation, so ops/second counts both threads' work
        ops = 1e9 / t
        ratio = statistics.median(ratios)
        spread = f"{min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 else ""
        print(f"| `{name}` | {t:,.0f} ns | {ops / 1e6:.2f} M | {ratio:.2f} ({spread}) | {round(max(allocs), 2):g} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
