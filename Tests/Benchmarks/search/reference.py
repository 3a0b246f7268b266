"""Search benchmark, reference side: hyperopt (rand, tpe), optuna (TPESampler) and, when it is
installed, scikit-optimize's gp_minimize (default settings) on the same problems as
kiln_search.kiln (problems.txt), printing lines in the same format. gp_minimize runs on Branin
and Hartmann-6 only (its spaces are flat).

    python reference.py [--seeds N] [--evals N] [--only hyperopt,optuna,skopt]
"""
import argparse, math, time
import numpy as np
from hyperopt import fmin, tpe, rand, hp, Trials
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
try:
    import skopt
except ImportError:
    skopt = None

def branin(p):
    x, y = p['x'], p['y']
    b = 5.1 / (4 * math.pi ** 2); c = 5 / math.pi; t = 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10

ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]

def hartmann6(p):
    x = [p[f'x{i}'] for i in range(1, 7)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))

def conditional(p):
    m = p['model']
    if m['kind'] == 'a':
        return (m['x'] - 1) ** 2 + abs(math.log10(m['lr']) + 3)
    return 2 + abs(m['depth'] - 4) / 4

HYPEROPT = [
    ('branin', branin, {'x': hp.uniform('x', -5, 10), 'y': hp.uniform('y', 0, 15)}, 0.397887),
    ('hartmann6', hartmann6, {f'x{i}': hp.uniform(f'x{i}', 0, 1) for i in range(1, 7)}, -3.32237),
    ('conditional', conditional, {'model': hp.choice('model', [
        {'kind': 'a', 'x': hp.uniform('x', -5, 5), 'lr': hp.loguniform('lr', math.log(1e-5), math.log(1))},
        {'kind': 'b', 'depth': hp.randint('depth', 1, 10)}])}, 0.0),
]

# gp_minimize's spaces and objectives (a point is a list of coordinates).
SKOPT = {
    'branin': ([(-5.0, 10.0), (0.0, 15.0)], lambda v: branin({'x': v[0], 'y': v[1]})),
    'hartmann6': ([(0.0, 1.0)] * 6, lambda v: hartmann6({f'x{i}': v[i - 1] for i in range(1, 7)})),
}

def optuna_objective(name):
    def objective(trial):
        if name == 'branin':
            return branin({'x': trial.suggest_float('x', -5, 10), 'y': trial.suggest_float('y', 0, 15)})
        if name == 'hartmann6':
            return hartmann6({f'x{i}': trial.suggest_float(f'x{i}', 0, 1) for i in range(1, 7)})
        kind = trial.suggest_categorical('model', ['a', 'b'])
        if kind == 'a':
            return conditional({'model': {'kind': 'a', 'x': trial.suggest_float('x', -5, 5),
                                          'lr': trial.suggest_float('lr', 1e-5, 1, log=True)}})
        return conditional({'model': {'kind': 'b', 'depth': trial.suggest_int('depth', 1, 9)}})
    return objective

def report(framework, algo, name, curves, seconds, seeds, evals):
    parts = []
    for n in [25, 50, 100]:
        if n <= evals:
            values = [c[n - 1] for c in curves]
            parts.append(f"regret@{n}={np.median(values):.4g} [{np.percentile(values, 25):.4g}, {np.percentile(values, 75):.4g}]")
    print(f"{framework} {algo} {name} " + " ".join(parts) + f" ms_per_eval={1000 * seconds / (seeds * evals):.3f}", flush=True)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seeds', type=int, default=20)
    parser.add_argument('--evals', type=int, default=100)
    parser.add_argument('--only', default='hyperopt,optuna,skopt')
    args = parser.parse_args()
    only = args.only.split(',')
    for name, fn, space, optimum in HYPEROPT:
        for algo_name, algo in [('rand', rand.suggest), ('tpe', tpe.suggest)] if 'hyperopt' in only else []:
            curves, seconds = [], 0.0
            for seed in range(args.seeds):
                trials = Trials()
                start = time.perf_counter()
                fmin(fn, space, algo=algo, max_evals=args.evals, trials=trials, rstate=np.random.default_rng(seed), show_progressbar=False)
                seconds += time.perf_counter() - start
                curves.append(np.minimum.accumulate(np.array(trials.losses()) - optimum))
            report('hyperopt', algo_name, name, curves, seconds, args.seeds, args.evals)
        if 'skopt' in only and skopt is not None and name in SKOPT:
            curves, seconds = [], 0.0
            dimensions, objective = SKOPT[name]
            for seed in range(args.seeds):
                start = time.perf_counter()
                result = skopt.gp_minimize(objective, dimensions, n_calls=args.evals, random_state=seed)
                seconds += time.perf_counter() - start
                curves.append(np.minimum.accumulate(np.array(result.func_vals) - optimum))
            report('skopt', 'gp', name, curves, seconds, args.seeds, args.evals)
        if 'optuna' in only:
            curves, seconds = [], 0.0
            for seed in range(args.seeds):
                study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
                start = time.perf_counter()
                study.optimize(optuna_objective(name), n_trials=args.evals)
                seconds += time.perf_counter() - start
                curves.append(np.minimum.accumulate(np.array([t.value for t in study.trials]) - optimum))
            report('optuna', 'tpe', name, curves, seconds, args.seeds, args.evals)

if __name__ == '__main__':
    main()
