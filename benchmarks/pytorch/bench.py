#!/usr/bin/env python3
"""PyTorch eager baseline for Adjoint's benchmark workloads (issue 7).

Times, for each of the eight workloads of benchmarks/README.md, the value (forward under
torch.no_grad()) and value+gradient (forward + loss.backward() for every wrt parameter) with
PyTorch eager, float64, one thread, and prints the median time per call in microseconds.

Measurement only, never part of the build. On Debian 12:

    apt-get install -y python3-torch libopenblas0-pthread
    /usr/bin/python3 benchmarks/pytorch/bench.py            # --seconds 2 per measurement

The autoencoder is written two ways: "literal", W.T @ W @ x exactly as the SPEC's Java reads
((WᵀW)x, which forms the n×n matrix WᵀW, as PyTorch evaluates @ left to right), and
"reassociated", W.T @ (W @ x), the parenthesization an expert picks (and the generated code
chooses at run time). The other workloads are written as a PyTorch user writes the SPEC's
formulas (torch.logdet, torch.inverse / torch.linalg.solve, F.silu, F.log_softmax).
"""
import os

# One thread everywhere: torch's intra-op pool and the BLAS underneath (OpenBLAS on Debian).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.set_default_dtype(torch.float64)


# ----------------------------------------------------------------------------- workloads

def autoencoder(m, n, samples, literal):
    g = torch.Generator().manual_seed(42)
    W = (torch.randn(m, n, generator=g) / n ** 0.5).requires_grad_()
    x = torch.randn(n, samples, generator=g)

    def loss():
        if literal:
            r = W.T @ W @ x - x
        else:
            r = W.T @ (W @ x) - x
        return 0.5 * (r * r).sum()

    return loss, [W]


def mlp(inputs, hidden, classes, batch):
    g = torch.Generator().manual_seed(7)
    W1 = (torch.randn(hidden, inputs, generator=g) / inputs ** 0.5).requires_grad_()
    b1 = (0.1 * torch.randn(hidden, 1, generator=g)).requires_grad_()
    W2 = (torch.randn(classes, hidden, generator=g) / hidden ** 0.5).requires_grad_()
    b2 = (0.1 * torch.randn(classes, 1, generator=g)).requires_grad_()
    X = torch.randn(inputs, batch, generator=g)
    Y = torch.zeros(classes, batch)
    Y[torch.randint(classes, (batch,), generator=g), torch.arange(batch)] = 1.0

    def loss():
        h = F.silu(W1 @ X + b1)
        z = W2 @ h + b2
        return -(Y * F.log_softmax(z, dim=0)).sum() / batch

    return loss, [W1, b1, W2, b2]


def gplvm(n, q, d, solve):
    g = torch.Generator().manual_seed(2024)
    X = torch.randn(n, q, generator=g).requires_grad_()
    Y = torch.randn(n, d, generator=g)
    alpha = torch.tensor(0.5, requires_grad=True)
    beta = torch.tensor(2.0, requires_grad=True)
    eye = torch.eye(n)

    def loss():
        K = alpha * (X @ X.T) + eye / beta
        if solve:
            quad = torch.trace(torch.linalg.solve(K, Y) @ Y.T)
        else:
            quad = torch.trace(torch.inverse(K) @ Y @ Y.T)
        return -d / 2 * torch.logdet(K) - 0.5 * quad

    return loss, [X, alpha, beta]


WORKLOADS = [
    ("autoencoder W 64x784, x 784x1 (literal)", lambda: autoencoder(64, 784, 1, True)),
    ("autoencoder W 64x784, x 784x1 (reassociated)", lambda: autoencoder(64, 784, 1, False)),
    ("autoencoder W 64x784, X 784x256 (literal)", lambda: autoencoder(64, 784, 256, True)),
    ("autoencoder W 64x784, X 784x256 (reassociated)", lambda: autoencoder(64, 784, 256, False)),
    ("autoencoder W 16x64, x 64x1 (literal)", lambda: autoencoder(16, 64, 1, True)),
    ("autoencoder W 16x64, x 64x1 (reassociated)", lambda: autoencoder(16, 64, 1, False)),
    ("MLP 784-256-10, N=128", lambda: mlp(784, 256, 10, 128)),
    ("MLP 64-32-10, N=32", lambda: mlp(64, 32, 10, 32)),
    ("GP-LVM N=500, q=2, D=64 (invert)", lambda: gplvm(500, 2, 64, False)),
    ("GP-LVM N=100, q=2, D=64 (invert)", lambda: gplvm(100, 2, 64, False)),
    ("GP-LVM N=500, q=2, D=64 (solve)", lambda: gplvm(500, 2, 64, True)),
]


# ----------------------------------------------------------------------------- timing

def median_us(fn, seconds, min_runs=30):
    """Median wall time of fn() in microseconds: warm up ~0.3 s, then time single calls for
    `seconds` (at least `min_runs` calls)."""
    end = time.perf_counter() + min(0.3, seconds / 4)
    while time.perf_counter() < end:
        fn()
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < min_runs:
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1000.0, len(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="measurement time per row and mode")
    parser.add_argument("--filter", default="", help="only workloads whose name contains this")
    args = parser.parse_args()

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, dtype {torch.get_default_dtype()}")
    print(f"{'workload':<48} {'value µs':>12} {'value+grad µs':>14} {'runs':>7}")
    for name, make in WORKLOADS:
        if args.filter and args.filter not in name:
            continue
        loss, params = make()

        def value():
            with torch.no_grad():
                return loss().item()

        def value_and_gradient():
            for p in params:
                p.grad = None
            out = loss()
            out.backward()
            return out.item()

        v, _ = median_us(value, args.seconds)
        vg, runs = median_us(value_and_gradient, args.seconds)
        print(f"{name:<48} {v:>12.3f} {vg:>14.3f} {runs:>7}", flush=True)


if __name__ == "__main__":
    main()
