"""Baselines for bench/scoring.sh: logistic regression, EBM (additive and default, with
pairs) and LightGBM on 5-fold StratifiedKFold(shuffle=True, random_state=0), one thread.

  scoring_baselines.py run DATA NAME OUT   writes OUT/folds.txt (the fold of every row, for
                                           `leadgate model train --folds`) and
                                           OUT/baselines.json (the figures per model)
  scoring_baselines.py table DIR...        prints one table of every model of each DIR,
                                           leadgate's figures read from its --json output

Figures: mean ROC AUC, PR AUC (average precision) and Brier over the folds, ECE of the
pooled out-of-fold probabilities (10 equal-count bins, as leadgate's report computes it),
and the mean fit time per fold.
"""

import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DATASETS = {
    "bank": {"sep": ";", "label": "y", "positive": "yes", "drop": ["duration"]},
    "shoppers": {"sep": ",", "label": "Revenue", "positive": "1", "drop": []},
}


def ece(p, y, bins=10):
    order = np.argsort(p, kind="stable")
    n = len(p)
    total = 0.0
    for b in range(bins):
        members = order[b * n // bins:(b + 1) * n // bins]
        if len(members):
            total += len(members) / n * abs(p[members].mean() - y[members].mean())
    return total


def models(categorical, numeric):
    from interpret.glassbox import ExplainableBoostingClassifier
    import lightgbm as lgb

    def logistic():
        prep = ColumnTransformer([
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("num", StandardScaler(), numeric),
        ])
        return make_pipeline(prep, LogisticRegression(max_iter=2000))

    return {
        "logistic regression": logistic,
        "EBM additive": lambda: ExplainableBoostingClassifier(interactions=0, n_jobs=1, random_state=0),
        "EBM with pairs (default)": lambda: ExplainableBoostingClassifier(n_jobs=1, random_state=0),
        "LightGBM": lambda: lgb.LGBMClassifier(
            n_estimators=400, learning_rate=0.03, num_leaves=15, min_child_samples=50,
            subsample=0.8, subsample_freq=1, colsample_bytree=0.8, reg_lambda=1.0,
            n_jobs=1, verbose=-1, random_state=0),
    }


def run(data, name, out):
    spec = DATASETS[name]
    frame = pd.read_csv(data, sep=spec["sep"])
    y = (frame[spec["label"]].astype(str) == spec["positive"]).to_numpy().astype(int)
    X = frame.drop(columns=[spec["label"]] + spec["drop"])
    categorical = [c for c in X.columns
                   if pd.api.types.is_bool_dtype(X[c]) or not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    for c in categorical:
        X[c] = X[c].astype(str)
    folds = np.zeros(len(y), dtype=int)
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    splits = list(splitter.split(X, y))
    for k, (_, test) in enumerate(splits):
        folds[test] = k
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "folds.txt"), "w") as f:
        f.write("fold\n" + "\n".join(str(k) for k in folds) + "\n")
    results = {}
    for model_name, make in models(categorical, numeric).items():
        pooled = np.zeros(len(y))
        rows = []
        for train, test in splits:
            model = make()
            Xtr = X.iloc[train]
            if model_name == "LightGBM":
                Xtr = Xtr.astype({c: "category" for c in categorical})
            start = time.perf_counter()
            model.fit(Xtr, y[train])
            fit = time.perf_counter() - start
            Xte = X.iloc[test]
            if model_name == "LightGBM":
                Xte = Xte.astype({c: pd.CategoricalDtype(Xtr[c].cat.categories) for c in categorical})
            p = model.predict_proba(Xte)[:, 1]
            pooled[test] = p
            rows.append((roc_auc_score(y[test], p), average_precision_score(y[test], p),
                         brier_score_loss(y[test], p), fit))
        a = np.array(rows)
        results[model_name] = {
            "roc_auc": a[:, 0].mean(), "pr_auc": a[:, 1].mean(), "brier": a[:, 2].mean(),
            "ece": ece(pooled, y), "fit_seconds": a[:, 3].mean(),
        }
        print(f"  {name} {model_name}: ROC AUC {results[model_name]['roc_auc']:.4f}", flush=True)
    with open(os.path.join(out, "baselines.json"), "w") as f:
        json.dump(results, f, indent=1)


def table(dirs):
    print("| data | model | ROC AUC | PR AUC | Brier | pooled ECE | fit s/fold |")
    print("|---|---|---|---|---|---|---|")
    for d in dirs:
        name = os.path.basename(d.rstrip("/"))
        with open(os.path.join(d, "baselines.json")) as f:
            results = json.load(f)
        for label, file in [("leadgate, additive", "leadgate_additive.json"),
                            ("leadgate, 10 pairs", "leadgate_pairs.json")]:
            path = os.path.join(d, file)
            if os.path.exists(path):
                with open(path) as f:
                    results[label] = json.load(f)
        for model, r in results.items():
            print(f"| {name} | {model} | {r['roc_auc']:.4f} | {r['pr_auc']:.4f} | "
                  f"{r['brier']:.4f} | {r['ece']:.4f} | {r['fit_seconds']:.2f} |")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        table(sys.argv[2:])
