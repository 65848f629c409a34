#!/usr/bin/env python3
"""Reference trajectories of torch.optim.Adam (float32) and torch.optim.LBFGS (float64) for the optimizer
core's tests (tests/RawConv.Tests/Algorithms/Optimize). Writes adam.json, lbfgs.json, lbfgsb.json and done.txt into
the folder given as the only argument.

Adam: separable quadratics ½·a·(x − c)² over two tensors; the gradient is written out as (x − c)·a in
float32, so RawConv computes it bit for bit the same way. Each case lists the parameters after every step.

L-BFGS: the objective and gradient are computed with plain Python floats in a fixed order (the order
the C# test uses), so both sides see identical values at identical points; what differs is only
torch's own vector arithmetic. Each case lists every point the closure was called at (with its value)
and every iterate x_k (the point each iteration moves to) with f(x_k).

Box-constrained: scipy's L-BFGS-B solutions of the same objectives under bounds (lbfgsb.json).
"""
import json
import os
import sys

import numpy as np
import torch


def f32(v):
    return float(np.float32(v))


def adam_case(name, seed, lr, betas, eps, decay_w, mult_b, maximize, steps):
    rng = np.random.default_rng(seed)
    shapes = {"w": (3, 4), "b": (5,)}
    data = {}
    for k, s in shapes.items():
        data[k] = dict(x0=rng.uniform(-2, 2, s).astype(np.float32), a=rng.uniform(0.1, 3, s).astype(np.float32),
                       c=rng.uniform(-1, 1, s).astype(np.float32))
    params = {k: torch.tensor(d["x0"]) for k, d in data.items()}
    lr32 = f32(lr)
    groups = [dict(params=[params["w"]], lr=lr32, weight_decay=f32(decay_w)),
              dict(params=[params["b"]], lr=float(np.float32(lr32) * np.float32(mult_b)), weight_decay=0.0)]
    opt = torch.optim.Adam(groups, betas=betas, eps=eps, maximize=maximize, foreach=False)
    sign = np.float32(-1 if maximize else 1)
    traj = []
    for _ in range(steps):
        for k, p in params.items():
            a, c = torch.tensor(data[k]["a"]), torch.tensor(data[k]["c"])
            g = (p.detach() - c) * a
            p.grad = g if sign > 0 else -g
        opt.step()
        traj.append({k: p.detach().numpy().ravel().astype(float).tolist() for k, p in params.items()})
    return dict(name=name, lr=lr32, beta1=betas[0], beta2=betas[1], eps=eps, decay_w=f32(decay_w),
                mult_b=f32(mult_b), maximize=maximize, steps=steps,
                groups={k: dict(shape=list(shapes[k]), **{n: v.ravel().astype(float).tolist() for n, v in d.items()})
                        for k, d in data.items()},
                trajectory=traj)


def quadratic(A, b):
    n = len(b)

    def fn(x):
        g = [0.0] * n
        s = 0.0
        for i in range(n):
            ax = 0.0
            for j in range(n):
                ax += A[i][j] * x[j]
            g[i] = ax - b[i]
            s += x[i] * (0.5 * ax - b[i])
        return s, g
    return fn


def rosenbrock(x):
    u, v = x
    w = v - u * u
    return (1.0 - u) * (1.0 - u) + 100.0 * w * w, [-2.0 * (1.0 - u) - 400.0 * u * w, 200.0 * w]


class TracedLBFGS(torch.optim.LBFGS):
    """Records the point after every iteration's move (not the line search's trial moves)."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.iterates = []
        self._trial = False

    def _directional_evaluate(self, closure, x, t, d):
        self._trial = True
        try:
            return super()._directional_evaluate(closure, x, t, d)
        finally:
            self._trial = False

    def _add_grad(self, step_size, update):
        super()._add_grad(step_size, update)
        if not self._trial:
            self.iterates.append(self._params[0].detach().clone().tolist())


def lbfgs_case(name, fn, x0, steps=1, problem=None, **opts):
    x = torch.tensor(x0, dtype=torch.float64)
    opt = TracedLBFGS([x], **opts)
    evals = []

    def closure():
        v, g = fn(x.tolist())
        evals.append(dict(x=x.tolist(), f=v))
        x.grad = torch.tensor(g, dtype=torch.float64)
        return v

    losses = [float(opt.step(closure)) for _ in range(steps)]
    st = opt.state[x]
    o = dict(lr=1.0, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
             line_search_fn=None)
    o.update(opts)
    return dict(name=name, problem=problem, x0=list(x0), steps=steps, options=o, step_losses=losses,
                evaluations=evals, iterates=[dict(x=p, f=fn(p)[0]) for p in opt.iterates],
                final=x.tolist(), n_iter=st["n_iter"], func_evals=st["func_evals"])


def lbfgsb_case(name, fn, x0, lower, upper, problem):
    """scipy's L-BFGS-B solution, the target of projected L-BFGS (no torch counterpart), solved tightly."""
    from scipy.optimize import minimize
    r = minimize(lambda v: (fn(list(v))[0], np.array(fn(list(v))[1])), np.array(x0), jac=True, method="L-BFGS-B",
                 bounds=list(zip(lower, upper)), options=dict(ftol=1e-16, gtol=1e-13, maxiter=10000, maxcor=20))
    return dict(name=name, problem=problem, x0=list(x0), lower=list(lower), upper=list(upper), solution=r.x.tolist(),
                f=float(r.fun), success=bool(r.success))


def spd(seed, n, cond):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = q @ np.diag(np.logspace(0, np.log10(cond), n)) @ q.T
    a = (a + a.T) / 2
    return a.tolist(), rng.standard_normal(n).tolist(), rng.uniform(-1, 1, n).tolist()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    adam = [adam_case("descent", 3, 0.05, (0.9, 0.999), 1e-8, 0.01, 2.0, False, 25),
            adam_case("ascent", 4, 0.1, (0.8, 0.99), 1e-6, 0.05, 0.5, True, 25)]
    with open(os.path.join(out, "adam.json"), "w") as fh:
        json.dump(adam, fh)

    A, b, x0 = spd(7, 10, 100.0)
    q = quadratic(A, b)
    qp = dict(kind="quadratic", A=A, b=b)
    rp = dict(kind="rosenbrock")
    sw = "strong_wolfe"
    lb = [lbfgs_case("quadratic", q, x0, problem=qp, max_iter=100, line_search_fn=sw),
          lbfgs_case("quadratic_history3", q, x0, problem=qp, max_iter=100, history_size=3, line_search_fn=sw),
          lbfgs_case("quadratic_history1_steps", q, x0, steps=6, problem=qp, max_iter=4, history_size=1, line_search_fn=sw),
          lbfgs_case("quadratic_fixed_step", q, x0, problem=qp, max_iter=30, history_size=5),
          lbfgs_case("rosenbrock", rosenbrock, [-1.2, 1.0], problem=rp, max_iter=200, line_search_fn=sw),
          lbfgs_case("rosenbrock_history2", rosenbrock, [-1.2, 1.0], problem=rp, max_iter=200, history_size=2,
                     line_search_fn=sw),
          lbfgs_case("rosenbrock_max_eval", rosenbrock, [-1.2, 1.0], steps=3, problem=rp, max_iter=50, max_eval=15,
                     line_search_fn=sw)]
    with open(os.path.join(out, "lbfgs.json"), "w") as fh:
        json.dump(lb, fh)
    boxed = [lbfgsb_case("quadratic_box", q, x0, [-0.3] * 10, [0.3] * 10, qp),
             lbfgsb_case("rosenbrock_box", rosenbrock, [-1.2, 1.0], [-2.0, -1.0], [0.5, 2.0], rp)]
    with open(os.path.join(out, "lbfgsb.json"), "w") as fh:
        json.dump(boxed, fh)
    with open(os.path.join(out, "done.txt"), "w") as fh:
        fh.write("ok\n")


if __name__ == "__main__":
    main()
