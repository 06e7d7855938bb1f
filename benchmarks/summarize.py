#!/usr/bin/env python3
"""Generated / hand-optimal ratios from a JMH JSON result (`-rf json -rff FILE`).

For each workload it prints two statistics of the same run, per side (generated, hand-optimal),
value + gradient and value():

* `median`: JMH's own SampleTime median over every sample of every fork (the `:p0.50` line);
* `quiet`: the fastest iteration median, i.e. the smallest of the per-iteration medians (each
  iteration is 3 s of samples). On a shared machine whose slow phases (everything ~1.4x slower
  for 10-60 s, hand-written code too) can cover most of one benchmark's forks, this is the speed
  of the code itself; both sides get the same statistic.

`--timeline` prints instead, for every benchmark in run order, each iteration's median divided
by the benchmark's fastest one, forks separated by `|`: slow phases of the machine show as runs
of 1.2-1.6 on either side.

Standard library only. Usage:

    python3 benchmarks/summarize.py [--timeline] result.json
"""
import collections
import json
import sys


def median_of(histogram):
    """Median of one iteration's [[value, count], ...] histogram."""
    total = sum(count for _, count in histogram)
    seen = 0
    for value, count in sorted(histogram):
        seen += count
        if seen >= total / 2:
            return value
    raise ValueError("empty iteration")


def us(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def timeline(path):
    for result in json.load(open(path)):
        cls, method = result["benchmark"].split(".")[-2:]
        name = f"{cls.replace('Benchmark', '')}.{method} {','.join(result.get('params', {}).values())}"
        forks = [[median_of(it) for it in fork] for fork in result["primaryMetric"]["rawDataHistogram"]]
        fastest = min(min(fork) for fork in forks)
        print(f"{name:<48}", " | ".join(" ".join(f"{m / fastest:.2f}" for m in fork) for fork in forks))


def main(path):
    rows = collections.OrderedDict()
    for result in json.load(open(path)):
        cls, method = result["benchmark"].split(".")[-2:]
        params = ",".join(result.get("params", {}).values())
        metric = result["primaryMetric"]
        iterations = [median_of(it) for fork in metric["rawDataHistogram"] for it in fork]
        alloc = result.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows.setdefault((cls, params), {})[method] = (
            metric["scorePercentiles"]["50.0"], min(iterations), len(iterations), alloc)

    print("| workload | kind | generated / hand, median (µs) | ratio | generated / hand, quiet (µs) | ratio |"
          " B/op (gen / hand) |")
    print("|---|---|---|---|---|---|---|")
    for (cls, params), sides in rows.items():
        for kind in ("Gradient", "Value"):
            gen, hand = sides.get("generated" + kind), sides.get("handOptimal" + kind)
            if gen is None or hand is None:
                continue
            print(f"| {cls.replace('Benchmark', '')} {params} | {kind.lower()} "
                  f"| {us(gen[0])} / {us(hand[0])} | {gen[0] / hand[0]:.2f} "
                  f"| {us(gen[1])} / {us(hand[1])} | {gen[1] / hand[1]:.2f} "
                  f"| {gen[3] or 0:.1f} / {hand[3] or 0:.1f} |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--timeline":
        timeline(sys.argv[2])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit(__doc__)
