#!/usr/bin/env python3
"""A placement instance from a generator unlike `placement::synth` (stdlib only), to check
the solver on a shape it was never tuned on: household sizes uniform 1-9, scores uniform
in [0, 1] with no site or household structure, candidate sites uniform, capacities
uniform-random shares of people x (1 + slack).

    python3 foreign_instance.py OUT_DIR HOUSEHOLDS SITES ARCS_PER_HOUSEHOLD|dense SLACK SEED
"""
import os
import random
import sys

out, n, m, k, slack, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), int(sys.argv[6])
random.seed(seed)
os.makedirs(out, exist_ok=True)
sizes = [random.randint(1, 9) for _ in range(n)]
people = sum(sizes)
w = [random.random() for _ in range(m)]
tw = sum(w)
with open(os.path.join(out, "households.csv"), "w") as f:
    f.write("household_id,size,language\n")
    f.writelines("h%d,%d,es\n" % (i, s) for i, s in enumerate(sizes))
with open(os.path.join(out, "sites.csv"), "w") as f:
    f.write("site_id,capacity_people\n")
    f.writelines("c%d,%d\n" % (j, int(people * (1 + slack) * w[j] / tw)) for j in range(m))
with open(os.path.join(out, "arcs.csv"), "w") as f:
    f.write("household_id,site_id,score\n")
    for i in range(n):
        sites = range(m) if k == "dense" else random.sample(range(m), int(k))
        f.writelines("h%d,c%d,%.4f\n" % (i, j, random.random()) for j in sites)
