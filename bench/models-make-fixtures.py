#!/usr/bin/python3
"""Reference fixtures for packages/models tests, from Debian's scikit-learn and XGBoost.

    /usr/bin/python3 bench/models-make-fixtures.py

writes packages/models/test/fixtures/*.json. Data are small and seeded; feature values sit on a grid of
multiples of 1/8 (exact in float32, which scikit-learn's trees use internally, and with fewer than 256
distinct values, so histogram trees see every threshold an exact tree sees).

- sklearn-dt.json: DecisionTreeClassifier fits (gini / entropy, depth and leaf limits, sample weights) with
  the fitted tree arrays and predict_proba on off-grid test points. Every case is refitted with ten
  random_states and kept only if all ten trees are identical, i.e. no split is decided by a tie (which
  scikit-learn breaks with its random feature order).
- sklearn-lr.json: LogisticRegression coefficients for several C, penalty none, and sample weights,
  solved by newton-cholesky to tol 1e-10.
- xgboost.json: XGBClassifier (hist) predictions, depth-wise and loss-guided, with base_score set to the
  weighted prior as our models use, on train and on-grid test points, with and without NaN.
"""
import json
import os
import sys

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'models', 'test', 'fixtures')


def grid_data(rng, n, d, levels=200):
    return rng.randint(0, levels, size=(n, d)) / 8.0


def label(rng, X):
    z = 1.5 * np.sin(X[:, 0]) + 0.8 * (X[:, 1] > 12) - 0.05 * X[:, 2] + 0.3 * rng.randn(len(X))
    return (z > np.median(z)).astype(np.uint8)


def tree_arrays(t):
    tr = t.tree_
    return {
        'feature': tr.feature.tolist(),
        'threshold': tr.threshold.tolist(),
        'left': tr.children_left.tolist(),
        'right': tr.children_right.tolist(),
    }


def dt_cases():
    cases = []
    specs = [
        ('gini depth 3', dict(criterion='gini', max_depth=3), False),
        ('entropy depth 4 leaf 5', dict(criterion='entropy', max_depth=4, min_samples_leaf=5), False),
        ('gini split 30 leaf 8', dict(criterion='gini', min_samples_split=30, min_samples_leaf=8), False),
        ('gini depth 4 weighted', dict(criterion='gini', max_depth=4, min_samples_leaf=4), True),
    ]
    for name, params, weighted in specs:
        for data_seed in range(100):
            rng = np.random.RandomState(1000 + data_seed)
            X = grid_data(rng, 160, 4)
            y = label(rng, X)
            w = rng.randint(1, 4, size=len(y)).astype(float) if weighted else None
            trees = []
            for rs in range(10):
                m = DecisionTreeClassifier(random_state=rs, **params).fit(X, y, sample_weight=w)
                trees.append(tree_arrays(m))
            if any(t != trees[0] for t in trees[1:]):
                continue
            Xt = rng.randint(0, 1600, size=(80, 4)) / 64.0
            cases.append({
                'name': name,
                'params': params,
                'X': X.tolist(),
                'y': y.tolist(),
                'sample_weight': None if w is None else w.tolist(),
                'X_test': Xt.tolist(),
                'proba_test': m.predict_proba(Xt)[:, 1].tolist(),
                'proba_train': m.predict_proba(X)[:, 1].tolist(),
                'tree': trees[0],
            })
            break
        else:
            sys.exit(f'no tie-free data found for {name}')
    return cases


def lr_cases():
    rng = np.random.RandomState(7)
    n, d = 200, 3
    X = rng.randn(n, d) * np.array([1.0, 2.0, 0.5]) + np.array([0.0, 1.0, -1.0])
    z = X @ np.array([1.2, -0.7, 2.0]) + 0.3 + rng.randn(n)
    y = (z > 0).astype(np.uint8)
    w = rng.uniform(0.5, 2.0, size=n)
    cases = []
    for C in [0.01, 0.1, 1.0, 10.0]:
        for weighted in [False, True]:
            m = LogisticRegression(C=C, solver='newton-cholesky', tol=1e-10, max_iter=1000)
            m.fit(X, y, sample_weight=w if weighted else None)
            cases.append({'penalty': 'l2', 'C': C, 'weighted': weighted,
                          'coef': m.coef_[0].tolist(), 'intercept': float(m.intercept_[0])})
    m = LogisticRegression(penalty=None, solver='newton-cholesky', tol=1e-10, max_iter=1000).fit(X, y)
    cases.append({'penalty': None, 'C': 1.0, 'weighted': False,
                  'coef': m.coef_[0].tolist(), 'intercept': float(m.intercept_[0])})
    return {'X': X.tolist(), 'y': y.tolist(), 'sample_weight': w.tolist(), 'cases': cases}


def xgb_cases():
    cases = []
    for name, nan_rate, params in [
        ('depthwise', 0.0, dict(max_depth=3, n_estimators=10, learning_rate=0.3)),
        ('depthwise nan', 0.1, dict(max_depth=3, n_estimators=10, learning_rate=0.3)),
        ('depthwise mcw 5 lambda 2', 0.0, dict(max_depth=4, n_estimators=8, learning_rate=0.5,
                                              min_child_weight=5, reg_lambda=2.0)),
        ('lossguide 8 leaves', 0.0, dict(grow_policy='lossguide', max_leaves=8, max_depth=0,
                                         n_estimators=10, learning_rate=0.3, reg_lambda=1.0)),
    ]:
        rng = np.random.RandomState(11)
        X = grid_data(rng, 300, 4, levels=120)
        y = label(rng, X)
        if nan_rate > 0:
            X[rng.rand(*X.shape) < nan_rate] = np.nan
        prior = float(y.mean())
        m = xgb.XGBClassifier(tree_method='hist', max_bin=256, n_jobs=1, base_score=prior, **params)
        m.fit(X, y)
        Xt = grid_data(rng, 60, 4, levels=120)
        if nan_rate > 0:
            Xt[rng.rand(*Xt.shape) < nan_rate] = np.nan
        enc = lambda a: [[None if np.isnan(v) else float(v) for v in row] for row in a]
        cases.append({
            'name': name,
            'params': {k: v for k, v in params.items()},
            'X': enc(X),
            'y': y.tolist(),
            'X_test': enc(Xt),
            'proba_train': m.predict_proba(X)[:, 1].astype(float).tolist(),
            'proba_test': m.predict_proba(Xt)[:, 1].astype(float).tolist(),
        })
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {'generator': 'bench/models-make-fixtures.py', 'sklearn': sklearn.__version__,
            'xgboost': xgb.__version__, 'numpy': np.__version__}
    for fname, payload in [('sklearn-dt.json', {'cases': dt_cases()}),
                           ('sklearn-lr.json', lr_cases()),
                           ('xgboost.json', {'cases': xgb_cases()})]:
        with open(os.path.join(OUT, fname), 'w') as f:
            json.dump({'meta': meta, **payload}, f)
            f.write('\n')
        print('wrote', fname)


if __name__ == '__main__':
    main()
