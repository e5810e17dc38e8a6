"""Hand-label the engine's work on real FEC rows: are its clusters one person, are pairs missed?

    .venv/bin/python bench/identity_label.py sample CLUSTERS.parquet [--clusters 200 --pairs 100]
                                              [--itcont COMBINED.itcont]
    .venv/bin/python bench/identity_label.py summary CLUSTERS.parquet LABELS.txt
    .venv/bin/python bench/identity_label.py merges CLUSTERS.parquet TEXTBOOK.parquet [--n 100]
    .venv/bin/python bench/identity_label.py merges-summary CLUSTERS.parquet TEXTBOOK.parquet L.txt

``CLUSTERS.parquet`` is what ``bench/identity.py --dataset fec`` (or ``fec unique-donors --out``)
wrote: it holds real people's names, so it, the sample and the labels stay outside the
repository; only the figures ``summary`` prints are kept.

``sample`` prints a seeded random sample (the same on every call) of multi-row clusters and of
candidate missed pairs: two clusters sharing a surname and a ZIP5, a city and state, a ZIP3 or
an employer in one state, whose given names are compatible (the same, a nickname, an initial,
a typo, one the start of the other); and, in one ZIP5, surnames one typo apart or given and
family names swapped. Each item has a key. The labeller writes one line per judged item into
LABELS.txt:

    c <cluster key> <people in it>          e.g. "c 4812 1" (one person), "c 77 3"
    p <cluster key> <cluster key> y|n       y: the two clusters are one person (a missed link)

A line may end with "?" (the labeller is unsure; ``summary`` counts those pairs) and a
"# reason" (ignored).

With ``--itcont`` (the file the clusters were counted from, e.g. the ``combined.itcont`` that
``--dataset fec`` writes) each row also shows its date, recipient committee and amount, and each
pair is followed by what the file holds around it: the other clusters of the surname at either
ZIP5 (a household, a father and son) and how many clusters bear the full name in the state. A
labeller who sees only name, place and job marks most common-name pairs unsure; a gift to the
same committee every month, or a son at the same address, often settles them. It adds evidence
for the labeller only: what is sampled, and the engine, are the same.

``merges`` does the same for another method's clusters (``TEXTBOOK.parquet``, the untuned Splink
clusters ``--dataset fec`` writes beside ours): a seeded sample of its clusters that join two or
more of ours, each shown as our clusters' rows. The labeller writes ``t <its key> <people in
it>``; ``merges-summary`` says how many of those joins were right (one person: links we missed)
and how many joined different people, scaled to all such clusters.

``summary`` prints how many were labelled, the share of clusters that are one person, the share
of candidate pairs that are missed links, and the hand estimate of the count: the engine's count
plus the people hidden in merged clusters, less the links missed, each scaled from the sample to
all multi-row clusters and all candidate pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from groundswell.identity import normalize as nz  # noqa: E402


def _rows(path: str) -> dict[int, list[dict]]:
    rows = duckdb.sql(
        f"SELECT sub_id, cluster_id, name, city, state, zip_code, employer, occupation "
        f"FROM read_parquet('{path}') ORDER BY cluster_id, sub_id"
    ).fetchall()
    clusters: dict[int, list[dict]] = defaultdict(list)
    for sub_id, cluster, name, city, state, zip_code, employer, occupation in rows:
        clusters[int(cluster)].append(
            {
                "sub_id": sub_id, "name": name or "", "city": city or "", "state": state or "",
                "zip": zip_code or "", "employer": employer or "", "occupation": occupation or "",
            }
        )  # fmt: skip
    return clusters


def _given_compatible(a: str, b: str) -> bool:
    """The same given name, a nickname, an initial, a typo, or one name the start of the other."""
    if not a or not b:
        return True
    if a == b or nz.first_canonical(a) == nz.first_canonical(b):
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return True  # CHRIS and CHRISTOPHER when no nickname table has them
    return min(len(a), len(b)) >= 3 and (
        DamerauLevenshtein.distance(a, b) <= 1 or JaroWinkler.similarity(a, b) >= 0.9
    )


def _surname_variant(a: str, b: str) -> bool:
    """Two surnames one typo apart (BERGE and BENGE), both long enough for that to mean much."""
    from rapidfuzz.distance import DamerauLevenshtein

    return a != b and min(len(a), len(b)) >= 5 and DamerauLevenshtein.distance(a, b) <= 1


_NOT_AN_EMPLOYER = {
    "RETIRED", "SELF", "SELF-EMPLOYED", "SELFEMPLOYED", "NOT", "NONE", "N/A", "NA", "HOMEMAKER",
    "INFORMATION", "UNEMPLOYED", "STUDENT", "REQUESTED", "THE",
}  # fmt: skip


def _employer_word(employer: str) -> str:
    """The first word of an employer (COMCAST of COMCAST CABLE), or "" for a status."""
    words = (employer or "").upper().replace(",", " ").split()
    return words[0] if words and words[0] not in _NOT_AN_EMPLOYER else ""


# A key shared by more clusters than this is a crowd (a common surname in a big city), not a
# candidate: every pair in it would be labelled "no" and say nothing about the model.
_CROWD = 30


# The kinds of candidate that #12 names ("different clusters sharing surname + ZIP5 or city,
# compatible given names"; the typo and swap candidates are within one ZIP5). The sample also
# draws pairs that share only a ZIP3 or an employer in a state, a wider net; ``summary`` gives
# the missed share over both.
ISSUE_KINDS = frozenset({"zip", "city", "zip5-variant"})


def candidate_pairs(clusters: dict[int, list[dict]]) -> list[tuple[int, int]]:
    """Pairs of clusters that may be one person the engine kept apart, in a stable order."""
    return sorted(candidate_kinds(clusters))


def candidate_kinds(clusters: dict[int, list[dict]]) -> dict[tuple[int, int], set[str]]:
    """Pairs of clusters that may be one person the engine kept apart, each with what they share.

    Sharing a surname and a ZIP5, a ZIP3 (one metropolitan area), a city (in one state) or an
    employer (in one state), with compatible given names; or, within one ZIP5, surnames one
    typo apart with compatible given names, or the given and family names swapped.
    """
    by_key: dict[tuple, set[int]] = defaultdict(set)
    names: dict[int, set[str]] = defaultdict(set)
    full: dict[int, set[tuple[str, str]]] = defaultdict(set)
    by_zip: dict[str, set[int]] = defaultdict(set)
    for cluster, rows in clusters.items():
        for row in rows:
            parsed = nz.name_parse(row["name"])
            if not parsed.last:
                continue
            names[cluster].add(parsed.first)
            full[cluster].add((parsed.first, parsed.last))
            if row["zip"][:5]:
                by_key[("zip", parsed.last, row["zip"][:5])].add(cluster)
                by_key[("zip3", parsed.last, row["zip"][:3])].add(cluster)
                by_zip[row["zip"][:5]].add(cluster)
            if row["city"]:
                by_key[("city", parsed.last, row["city"].upper(), row["state"])].add(cluster)
            employer = _employer_word(row["employer"])
            if employer:
                by_key[("work", parsed.last, row["state"], employer)].add(cluster)
    pairs: dict[tuple[int, int], set[str]] = defaultdict(set)
    for key, members in by_key.items():
        ordered = sorted(members)
        if len(ordered) > _CROWD:
            continue
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if any(_given_compatible(x, y) for x in names[a] for y in names[b]):
                    pairs[(a, b)].add(key[0])
    for members in by_zip.values():
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if (a, b) in pairs:
                    continue
                for fa, la in full[a]:
                    if any(
                        (_surname_variant(la, lb) and fa and fb and _given_compatible(fa, fb))
                        or (len(fa) > 1 and fa == lb and (la == fb or _surname_variant(la, fb)))
                        for fb, lb in full[b]
                    ):
                        pairs[(a, b)].add("zip5-variant")
                        break
    return dict(pairs)


def gift_details(itcont: str | None) -> dict[str, str]:
    """SUB_ID → "date committee amount" from an itcont file, or nothing without one."""
    if not itcont:
        return {}
    details = {}
    with open(itcont, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("|")
            if len(fields) != 21:
                continue
            day = fields[13].strip()
            day = f"{day[4:8]}-{day[0:2]}-{day[2:4]}" if len(day) == 8 else "?"
            details[fields[20].strip()] = f"{day} {fields[0].strip()} {fields[14].strip():>7}"
    return details


def _show(row: dict, details: dict[str, str] | None = None) -> str:
    work = " / ".join(v for v in (row["employer"], row["occupation"]) if v)
    gift = (details or {}).get(str(row["sub_id"]))
    line = f"    {row['name']:32} {row['city']:18} {row['state']:2} {row['zip']:10} {work}"
    return f"{line}  [{gift}]" if gift else line


def _print_rows(rows: list[dict], details: dict[str, str] | None = None) -> None:
    """A cluster's rows, identical lines once with how many there are."""
    shown: dict[str, int] = {}
    for row in rows:
        line = _show(row, details)
        shown[line] = shown.get(line, 0) + 1
    for line, times in shown.items():
        print(line + (f"  (x{times})" if times > 1 else ""))


class _Surroundings:
    """What the file holds around a pair: the surname's other clusters at a ZIP5, and how many
    clusters bear a full name in a state."""

    def __init__(self, clusters: dict[int, list[dict]]):
        self.at_zip: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.bearers: dict[tuple[str, str, str], set[int]] = defaultdict(set)
        self.given: dict[int, set[str]] = defaultdict(set)
        for cluster, rows in clusters.items():
            for row in rows:
                parsed = nz.name_parse(row["name"])
                if not parsed.last:
                    continue
                self.given[cluster].add(" ".join(p for p in (parsed.first, parsed.middle) if p))
                if row["zip"][:5]:
                    self.at_zip[(parsed.last, row["zip"][:5])].add(cluster)
                self.bearers[(parsed.first, parsed.last, row["state"])].add(cluster)

    def lines(self, clusters: dict[int, list[dict]], a: int, b: int) -> list[str]:
        keys = set()
        full = set()
        for row in clusters[a] + clusters[b]:
            parsed = nz.name_parse(row["name"])
            if parsed.last and row["zip"][:5]:
                keys.add((parsed.last, row["zip"][:5]))
            if parsed.last:
                full.add((parsed.first, parsed.last, row["state"]))
        out = []
        for last, zip5 in sorted(keys):
            others = sorted(self.at_zip[(last, zip5)] - {a, b})
            if others:
                names = ", ".join(
                    "/".join(sorted(self.given[o])) + f" ({len(clusters[o])} rows)"
                    for o in others[:8]
                )
                more = f" and {len(others) - 8} more" if len(others) > 8 else ""
                out.append(f"    ~ other {last} at {zip5}: {names}{more}")
        for first, last, state in sorted(full):
            n = len(self.bearers[(first, last, state)])
            out.append(f"    ~ clusters named {first} {last} in {state or '?'}: {n}")
        return out


def sample(path: str, n_clusters: int, n_pairs: int, seed: int, itcont: str | None = None) -> None:
    clusters = _rows(path)
    details = gift_details(itcont)
    multi = sorted(c for c, rows in clusters.items() if len(rows) > 1)
    rng = random.Random(seed)
    for cluster in rng.sample(multi, min(n_clusters, len(multi))):
        print(f"c {cluster}")
        _print_rows(clusters[cluster], details)
    pairs = candidate_pairs(clusters)
    around = _Surroundings(clusters) if details else None
    for a, b in rng.sample(pairs, min(n_pairs, len(pairs))):
        print(f"p {a} {b}")
        for row in clusters[a]:
            print(_show(row, details))
        print("    --")
        for row in clusters[b]:
            print(_show(row, details))
        if around:
            for line in around.lines(clusters, a, b):
                print(line)


def _label_parts(line: str) -> tuple[list[str], bool]:
    """A label line's fields without its "# reason", and whether it is marked unsure ("?")."""
    parts = line.split("#", 1)[0].split()
    flagged = "?" in parts or any(p.endswith("?") for p in parts)
    return [p.rstrip("?") for p in parts if p != "?"], flagged


def summary(path: str, labels: str) -> dict:
    clusters = _rows(path)
    multi = sum(1 for rows in clusters.values() if len(rows) > 1)
    kinds = candidate_kinds(clusters)
    pairs = sorted(kinds)
    people: list[int] = []
    same: list[bool] = []
    sure_same: list[bool] = []
    issue_same: list[bool] = []
    unsure = 0
    for line in Path(labels).read_text(encoding="utf-8").splitlines():
        parts, flagged = _label_parts(line)
        if len(parts) == 3 and parts[0] == "c":
            people.append(int(parts[2]))
        elif len(parts) == 4 and parts[0] == "p":
            yes = parts[3].lower().startswith("y")
            same.append(yes)
            sure_same.append(yes and not flagged)
            unsure += flagged
            pair = (min(int(parts[1]), int(parts[2])), max(int(parts[1]), int(parts[2])))
            if kinds.get(pair, set()) & ISSUE_KINDS:
                issue_same.append(yes)
    count = len(clusters)
    hidden = (sum(k - 1 for k in people) / len(people) * multi) if people else 0.0
    missed = (sum(same) / len(same) * len(pairs)) if same else 0.0
    estimate = count + hidden - missed
    return {
        "unique_donors": count,
        "multi_row_clusters": multi,
        "clusters_labelled": len(people),
        "clusters_one_person": round(sum(k == 1 for k in people) / len(people), 4)
        if people
        else None,
        "candidate_pairs": len(pairs),
        "pairs_labelled": len(same),
        "pairs_missed_links": round(sum(same) / len(same), 4) if same else None,
        "pairs_marked_unsure": unsure,
        # Counting a pair as missed only when the labeller was sure of it.
        "pairs_missed_links_sure": round(sum(sure_same) / len(sure_same), 4) if same else None,
        # The labelled pairs of the kinds #12 names (a surname and a ZIP5 or a city), a random
        # sample of those as the whole sample is of all candidates.
        "issue_kind_pairs_labelled": len(issue_same),
        "issue_kind_pairs_missed_links": round(sum(issue_same) / len(issue_same), 4)
        if issue_same
        else None,
        "hand_estimate": round(estimate),
        "count_error_vs_hand_estimate": round((count - estimate) / estimate, 4),
    }


def _spanning(path: str, other: str) -> dict[int, list[int]]:
    """The other method's clusters that join two or more of ours: its key → our keys."""
    rows = duckdb.sql(
        f"SELECT t.cluster_id, list(DISTINCT o.cluster_id ORDER BY o.cluster_id) "
        f"FROM read_parquet('{other}') t "
        f"JOIN read_parquet('{path}') o ON CAST(o.sub_id AS VARCHAR) = CAST(t.sub_id AS VARCHAR) "
        f"GROUP BY 1 HAVING count(DISTINCT o.cluster_id) > 1 ORDER BY 1"
    ).fetchall()
    return {int(key): [int(c) for c in ours] for key, ours in rows}


def merges(path: str, other: str, n: int, seed: int) -> None:
    clusters = _rows(path)
    spanning = _spanning(path, other)
    for key in random.Random(seed).sample(sorted(spanning), min(n, len(spanning))):
        print(f"t {key}  ({len(spanning[key])} of our clusters)")
        for i, ours in enumerate(spanning[key]):
            if i:
                print("    --")
            _print_rows(clusters[ours])


def merges_summary(path: str, other: str, labels: str) -> dict:
    spanning = _spanning(path, other)
    judged = []
    for line in Path(labels).read_text(encoding="utf-8").splitlines():
        parts, _ = _label_parts(line)
        if len(parts) == 3 and parts[0] == "t" and int(parts[1]) in spanning:
            judged.append((len(spanning[int(parts[1])]), int(parts[2])))
    if not judged:
        return {"spanning_clusters": len(spanning), "labelled": 0}
    scale = len(spanning) / len(judged)
    ours = sum(k for k, _ in judged)
    people = sum(p for _, p in judged)
    return {
        "spanning_clusters": len(spanning),
        "labelled": len(judged),
        # Its joins of our clusters that were one person (we missed a link) ...
        "clusters_one_person": round(sum(p == 1 for _, p in judged) / len(judged), 4),
        # ... and the people it folded into others (its false merges), scaled to all.
        "joins_right_estimate": round((ours - people) * scale),
        "people_merged_away_estimate": round((people - len(judged)) * scale),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sampling = sub.add_parser("sample")
    sampling.add_argument("clusters")
    sampling.add_argument("--clusters", dest="n_clusters", type=int, default=200)
    sampling.add_argument("--pairs", dest="n_pairs", type=int, default=100)
    sampling.add_argument("--seed", type=int, default=12)
    sampling.add_argument("--itcont", help="the itcont file counted: show each gift's details")
    summing = sub.add_parser("summary")
    summing.add_argument("clusters")
    summing.add_argument("labels")
    joined = sub.add_parser("merges")
    joined.add_argument("clusters")
    joined.add_argument("other")
    joined.add_argument("--n", type=int, default=100)
    joined.add_argument("--seed", type=int, default=12)
    joins_summed = sub.add_parser("merges-summary")
    joins_summed.add_argument("clusters")
    joins_summed.add_argument("other")
    joins_summed.add_argument("labels")
    args = parser.parse_args()
    if args.action == "sample":
        sample(args.clusters, args.n_clusters, args.n_pairs, args.seed, args.itcont)
    elif args.action == "merges":
        merges(args.clusters, args.other, args.n, args.seed)
    elif args.action == "merges-summary":
        print(json.dumps(merges_summary(args.clusters, args.other, args.labels)))
    else:
        print(json.dumps(summary(args.clusters, args.labels)))


if __name__ == "__main__":
    main()
