# The learning curves and Optuna 5.0's pruning decisions in PrunerTests.swift:
#     /work/venv-ref/bin/python Tests/KilnSearchTests/Fixtures/pruners.py
import optuna, random, json
optuna.logging.set_verbosity(optuna.logging.ERROR)
def run(pruner, direction, seqs, name):
    study = optuna.create_study(study_name=name, direction=direction, pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=0))
    out = []
    for seq in seqs:
        t = study.ask()
        decided = None
        for step, v in enumerate(seq):
            t.report(v, step)
            if t.should_prune():
                decided = step
                break
        if decided is None:
            study.tell(t, seq[-1])
        else:
            study.tell(t, state=optuna.trial.TrialState.PRUNED)
        out.append(decided)
    return out
random.seed(3)
seqs = [[round(random.uniform(0,1)*(0.9**s)+0.05*random.random(),3) for s in range(12)] for _ in range(30)]
print(json.dumps(seqs))
print("sha_min", run(optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=4), "minimize", seqs, "s"))
print("sha_max", run(optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2), "maximize", seqs, "s"))
print("hb_min", run(optuna.pruners.HyperbandPruner(min_resource=1, max_resource=12, reduction_factor=3), "minimize", seqs, "digits"))
print("hb_auto", run(optuna.pruners.HyperbandPruner(min_resource=1, reduction_factor=3), "minimize", seqs, "digits"))
print("median", run(optuna.pruners.MedianPruner(), "minimize", seqs, "m"))
