#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a clustering against known truth (standard library).

usage: pairwise.py CLUSTERS.csv TRUTH.csv [TRUTH2.csv] [--truth-column NAME] [--id-column NAME]
                   [--json OUT.json]

CLUSTERS.csv is what `leadgate dedupe` writes (record_id,cluster_id). The truth files are
the inputs: their id column (default: record_id, else rec_id) names each record and the
truth column (default: true_id, else rec_id) its entity. FEBRL's rec_id `rec-N-org` and
`rec-N-dup-K` are person N. With two truth files (a link of two files), only pairs across
the files count, as the task is defined. --json also writes the counts, the scores and the
largest predicted and true cluster (in records) to OUT.json; the printed line stays the same.
"""
import argparse
import csv
import json
import sys
from collections import Counter


def entity(label):
    if label.startswith("rec-"):
        return label.split("-")[1]
    return label


def pairs_of(counter):
    return sum(n * (n - 1) // 2 for n in counter.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clusters")
    ap.add_argument("truth", nargs="+")
    ap.add_argument("--truth-column")
    ap.add_argument("--id-column")
    ap.add_argument("--json")
    args = ap.parse_args()

    cluster_of = {}
    with open(args.clusters, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            cluster_of[row["record_id"]] = row["cluster_id"]

    records = []  # (file index, entity, cluster)
    for i, path in enumerate(args.truth):
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            cols = [c.strip() for c in reader.fieldnames]
            reader.fieldnames = cols
            id_col = args.id_column or ("record_id" if "record_id" in cols else "rec_id")
            truth_col = args.truth_column or ("true_id" if "true_id" in cols else "rec_id")
            for row in reader:
                rid = row[id_col].strip()
                if rid not in cluster_of:
                    sys.exit(f"{path}: record {rid} is not in {args.clusters}")
                records.append((i, entity(row[truth_col].strip()), cluster_of[rid]))
    if len(records) != len(cluster_of):
        sys.exit(f"{args.clusters}: {len(cluster_of)} records, the inputs have {len(records)}")

    if len(args.truth) == 1:
        true_pairs = pairs_of(Counter(e for _, e, _ in records))
        predicted = pairs_of(Counter(c for _, _, c in records))
        correct = pairs_of(Counter((e, c) for _, e, c in records))
    else:
        def across(key):
            left = Counter(key(r) for r in records if r[0] == 0)
            right = Counter(key(r) for r in records if r[0] != 0)
            return sum(n * right[k] for k, n in left.items())
        true_pairs = across(lambda r: r[1])
        predicted = across(lambda r: r[2])
        correct = across(lambda r: (r[1], r[2]))
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"records {len(records)}, true pairs {true_pairs}, predicted {predicted}, correct {correct}: "
          f"precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
    if args.json:
        largest = max(Counter(c for _, _, c in records).values(), default=0)
        largest_true = max(Counter(e for _, e, _ in records).values(), default=0)
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"records": len(records), "true_pairs": true_pairs, "predicted_pairs": predicted,
                       "correct_pairs": correct, "precision": precision, "recall": recall, "f1": f1,
                       "largest_cluster": largest, "largest_true_cluster": largest_true}, f)
            f.write("\n")


if __name__ == "__main__":
    main()
