#!/usr/bin/python3
"""scikit-learn RandomForestClassifier on the exact split `mlserve bench train` wrote.

Usage: /usr/bin/python3 bench/sklearn_rf.py TRAIN_CSV TEST_CSV TREES SEED N_JOBS [REPEATS]
Each CSV row is the 54 encoded feature columns then the class label, no header (Debian: apt-get install
python3-sklearn). Prints one JSON object: accuracy, macroF1, trainSeconds and cpuSeconds (process CPU time, all threads; medians of REPEATS fits, default 1), sklearn version.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score


def load(path):
    data = np.loadtxt(path, delimiter=",", dtype=np.float32)
    return data[:, :-1], data[:, -1].astype(np.int64)


def main():
    train_csv, test_csv, trees, seed, n_jobs = sys.argv[1:6]
    repeats = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    x_train, y_train = load(train_csv)
    x_test, y_test = load(test_csv)
    times = []
    cpu_times = []
    for _ in range(repeats):
        model = RandomForestClassifier(n_estimators=int(trees), random_state=int(seed), n_jobs=int(n_jobs))
        start = time.perf_counter()
        cpu_start = time.process_time()
        model.fit(x_train, y_train)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    seconds = sorted(times)[len(times) // 2]
    cpu_seconds = sorted(cpu_times)[len(cpu_times) // 2]
    predicted = model.predict(x_test)
    print(json.dumps({
        "accuracy": accuracy_score(y_test, predicted),
        "macroF1": f1_score(y_test, predicted, average="macro"),
        "trainSeconds": seconds,
        "cpuSeconds": cpu_seconds,
        "trees": int(trees),
        "nJobs": int(n_jobs),
        "sklearn": sklearn.__version__,
    }))


if __name__ == "__main__":
    main()
