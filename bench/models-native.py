#!/usr/bin/python3
"""Native baselines for bench/models.bench.ts: scikit-learn and XGBoost on the very split the bench wrote.

    /usr/bin/python3 bench/models-native.py <dir> [model] [repeat]

<dir> holds x_train.f64, y_train.u8, x_test.f64, y_test.u8 (raw little-endian arrays, row-major) and
meta.json {n_train, n_test, n_cols, models, repeat}. Prints one JSON line per model:
{"model", "fit_s", "predict_s", "f1", "acc", "n_train"}, times in CPU seconds of this process (best of
`repeat`, after one warm-up fit on a slice), single-threaded.

`lgbm_clf` has no Debian LightGBM to compare with; its baseline is XGBoost `hist` with loss-guided
(leaf-wise) growth at LightGBM's defaults: 31 leaves, no depth limit, λ = 0, min hessian 1e-3.
"""
import json
import os
import sys
import time
import warnings

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier
import xgboost as xgb


def make(name):
    if name == 'dt_clf':
        return DecisionTreeClassifier(max_depth=10, random_state=0)
    if name == 'rf_clf':
        return RandomForestClassifier(n_estimators=100, max_depth=10, max_features='sqrt', bootstrap=True,
                                      n_jobs=1, random_state=0)
    if name == 'xgb_clf':
        return xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method='hist',
                                 n_jobs=1, random_state=0)
    if name == 'lgbm_clf':
        return xgb.XGBClassifier(n_estimators=100, grow_policy='lossguide', max_leaves=31, max_depth=0,
                                 learning_rate=0.1, reg_lambda=0.0, min_child_weight=1e-3,
                                 tree_method='hist', n_jobs=1, random_state=0)
    if name == 'lr_clf':
        return LogisticRegression(penalty='l2', C=1.0, solver='lbfgs', max_iter=1000)
    if name == 'mlp_clf':
        return MLPClassifier(hidden_layer_sizes=(100, 100), activation='relu', solver='adam',
                             learning_rate='constant', max_iter=50, random_state=0)
    return None


def scores(y, proba):
    pred = (proba > 0.5).astype(np.uint8)
    tp = int(np.sum((pred == 1) & (y == 1)))
    fp = int(np.sum((pred == 1) & (y == 0)))
    fn = int(np.sum((pred == 0) & (y == 1)))
    return 2 * tp / (2 * tp + fp + fn), float(np.mean(pred == y))


def main():
    # Convergence warnings (MLP capped at 50 epochs like ours) would only clutter the bench output.
    warnings.filterwarnings('ignore')
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, 'meta.json')))
    if len(sys.argv) > 2:
        meta['models'] = [sys.argv[2]]
    if len(sys.argv) > 3:
        meta['repeat'] = int(sys.argv[3])
    nc = meta['n_cols']
    Xtr = np.fromfile(os.path.join(d, 'x_train.f64'), dtype='<f8').reshape(meta['n_train'], nc)
    ytr = np.fromfile(os.path.join(d, 'y_train.u8'), dtype=np.uint8)
    Xte = np.fromfile(os.path.join(d, 'x_test.f64'), dtype='<f8').reshape(meta['n_test'], nc)
    yte = np.fromfile(os.path.join(d, 'y_test.u8'), dtype=np.uint8)
    for name in meta['models']:
        if make(name) is None:
            continue
        warm = min(2000, len(ytr))
        make(name).fit(Xtr[:warm], ytr[:warm])
        fits, preds = [], []
        for _ in range(meta['repeat']):
            m = make(name)
            t0 = time.process_time()
            m.fit(Xtr, ytr)
            t1 = time.process_time()
            proba = m.predict_proba(Xte)[:, 1]
            t2 = time.process_time()
            fits.append(t1 - t0)
            preds.append(t2 - t1)
        f1, acc = scores(yte, proba)
        print(json.dumps({'model': name, 'fit_s': min(fits), 'predict_s': min(preds), 'f1': f1, 'acc': acc,
                          'n_train': int(len(ytr))}), flush=True)


if __name__ == '__main__':
    main()
