"""Run Splink on a registry CSV (hemi-registry's layout) and score it against the truth.

The reference run for hemi-registry's BENCHMARKS.md: the same generated files, the same
machine, the same run. Installs nothing itself; set up a virtual environment outside the
repository first (it is not committed):

    python3 -m venv /tmp/venv-registry
    /tmp/venv-registry/bin/pip install splink duckdb      # Splink 5.0.0, DuckDB 1.x used here

Then:

    /tmp/venv-registry/bin/python run_splink.py --records registry_seed2.csv \
        --truth truth_seed2.csv [--threshold 0.5]
    /tmp/venv-registry/bin/python run_splink.py --febrl4 ../febrl      # FEBRL4 linking
    /tmp/venv-registry/bin/python run_splink.py --febrl3 ../febrl      # FEBRL3 de-duplication

febrl_reference.json holds the FEBRL figures of the committed run (read by the
crate's tests); synthetic_reference.jsonl the synthetic-registry runs for seeds 1-5 of
examples/synth_eval (20,000 people, duplication rate 0.1), written with --write.

Prints one JSON line per model (all columns; without the phone comparison): records,
pairs predicted, precision, recall, F1 at the threshold
(0.5 by default, as hemi-registry's), the best F1 over a threshold grid (an in-sample
optimum, generous to Splink), and the wall-clock seconds of training + prediction +
clustering.

The model is a reasonable Splink model for the registry columns, built the way Splink's
tutorials build one: name comparisons with term-frequency adjustments, a date-of-birth
comparison, Levenshtein on the document number, exact matches on sex, phone,
nationality and municipality; u by random sampling, m by EM on two blocking rules, the
prior from deterministic rules.
"""

import argparse
import json
import time
from collections import Counter

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def pairwise_scores(pred_clusters, truth_clusters):
    """Pairwise P/R/F1 from two record -> cluster dicts (contingency counts)."""
    def c2(n):
        return n * (n - 1) // 2
    cells = Counter((pred_clusters[r], truth_clusters.get(r, "self:" + r)) for r in pred_clusters)
    tp = sum(c2(n) for n in cells.values())
    pp = sum(c2(n) for n in Counter(pred_clusters.values()).values())
    tt = sum(c2(n) for n in Counter(truth_clusters.values()).values())
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def registry(args):
    df = pd.read_csv(args.records, dtype=str, keep_default_na=False)
    truth = pd.read_csv(args.truth, dtype=str)
    truth_of = dict(zip(truth.record_id, truth.cluster_id))
    df = df.rename(columns={"record_id": "unique_id"})
    for col in df.columns:
        df[col] = df[col].replace("", None)
    # Splink's date comparison needs full dates; partial ones become null, their year kept.
    df["dob"] = df["date_of_birth"].where(df["date_of_birth"].str.len() == 10)
    df["birth_year"] = df["date_of_birth"].str.slice(0, 4)
    for use_phone in (True, False):
        registry_model(args, df, truth_of, use_phone)


def registry_model(args, df, truth_of, use_phone):
    """One Splink run; `use_phone=False` drops the phone comparison (kept for blocking),
    which on family-structured data is Splink's better model: a shared household phone
    otherwise links siblings."""
    started = time.time()
    db_api = DuckDBAPI()
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("first_surname").configure(term_frequency_adjustments=True),
        cl.NameComparison("second_surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.ExactMatch("sex"),
        cl.LevenshteinAtThresholds("document_number", [1, 2]),
        cl.ExactMatch("phone"),
        cl.ExactMatch("nationality"),
        cl.ExactMatch("municipality").configure(term_frequency_adjustments=True),
    ]
    if not use_phone:
        comparisons = [c for i, c in enumerate(comparisons) if i != 6]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("document_number"),
            block_on("phone"),
            block_on("given_name", "first_surname"),
            block_on("dob", "first_surname"),
            block_on("dob", "given_name"),
            block_on("given_name", "second_surname"),
            block_on("first_surname", "second_surname", "birth_year"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    sdf = db_api.register(df.copy())
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("document_number"), block_on("given_name", "first_surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "first_surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.05)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=args.threshold)
    cdf = clusters.as_pandas_dataframe()
    seconds = time.time() - started
    pred_of = dict(zip(cdf.unique_id, cdf.cluster_id.astype(str)))
    p, r, f = pairwise_scores(pred_of, truth_of)
    # Best F1 over thresholds (in-sample optimum).
    best = (f, args.threshold)
    for t in [0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999]:
        c = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=t).as_pandas_dataframe()
        _, _, ft = pairwise_scores(dict(zip(c.unique_id, c.cluster_id.astype(str))), truth_of)
        if ft > best[0]:
            best = (ft, t)
    n_pred = len(predictions.as_pandas_dataframe())
    print(json.dumps({"tool": "splink", "model": "all columns" if use_phone else "without phone comparison", "records": len(df), "pairs_predicted": int(n_pred), "threshold": args.threshold,
                      "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                      "best_f1": round(best[0], 4), "best_threshold": best[1], "seconds": round(seconds, 1)}))


def febrl(args, number):
    folder = args.febrl4 or args.febrl3
    started = time.time()
    db_api = DuckDBAPI()
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.75]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.75]).configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
        cl.ExactMatch("state"),
    ]
    rules = [block_on("soc_sec_id"), block_on("date_of_birth"), block_on("given_name", "surname"), block_on("postcode", "street_number")]
    if number == 4:
        a = pd.read_csv(f"{folder}/febrl4a.csv", dtype=str, keep_default_na=False)
        b = pd.read_csv(f"{folder}/febrl4b.csv", dtype=str, keep_default_na=False)
        frames = [a, b]
        link_type = "link_only"
    else:
        frames = [pd.read_csv(f"{folder}/febrl3.csv", dtype=str, keep_default_na=False)]
        link_type = "dedupe_only"
    for f in frames:
        f.rename(columns={"rec_id": "unique_id"}, inplace=True)
        for col in f.columns:
            f[col] = f[col].replace("", None)
    settings = SettingsCreator(link_type=link_type, comparisons=comparisons, blocking_rules_to_generate_predictions=rules)
    linker = Linker([db_api.register(f) for f in frames], settings)
    linker.training.estimate_probability_two_random_records_match([block_on("soc_sec_id", "date_of_birth")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.05)
    pdf = predictions.as_pandas_dataframe()
    seconds = time.time() - started
    links = pd.read_csv(f"{folder}/febrl{number}_links.csv", dtype=str)
    truth = set(tuple(sorted(x)) for x in zip(links.rec_id_1, links.rec_id_2))
    out = {"tool": "splink", "dataset": f"febrl{number}", "seconds": round(seconds, 1)}
    for t in [0.5, 0.9]:
        sel = pdf[pdf.match_probability >= t]
        pred = set(tuple(sorted(x)) for x in zip(sel.unique_id_l, sel.unique_id_r))
        if number == 3:
            # Pairwise F1 of the clusters (connected components), as for hemi-registry.
            c = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=t).as_pandas_dataframe()
            groups = c.groupby("cluster_id").unique_id.apply(list)
            pred = set(tuple(sorted((x, y))) for g in groups for i, x in enumerate(g) for y in g[i + 1:])
        tp = len(pred & truth)
        p = tp / len(pred) if pred else 1.0
        r = tp / len(truth)
        out[f"f1_at_{t}"] = round(2 * p * r / (p + r), 4) if p + r else 0.0
        out[f"precision_at_{t}"] = round(p, 4)
        out[f"recall_at_{t}"] = round(r, 4)
    print(json.dumps(out))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--records")
    ap.add_argument("--truth")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--febrl4")
    ap.add_argument("--febrl3")
    args = ap.parse_args()
    if args.febrl4:
        febrl(args, 4)
    elif args.febrl3:
        febrl(args, 3)
    else:
        registry(args)
