#!/usr/bin/env python3
"""Turn the JSON lines of bench/run.sh into a Markdown table with ours/theirs ratios."""
import json
import platform
import statistics
import sys

TARGETS = {"extract": 10, "tokens": 2, "chunk": 10, "minhash": 100, "refine": 50}
UNIT = {"extract": "pages", "tokens": "tokens", "chunk": "bytes", "minhash": "docs", "refine": "pages"}


def main():
    raw, repeat, rounds = sys.argv[1], sys.argv[2], sys.argv[3]
    rows = {}
    for line in open(raw):
        line = line.strip()
        if line:
            r = json.loads(line)
            seen = rows.setdefault(r["case"], {}).get(r["impl"])
            if seen is None:
                rows[r["case"]][r["impl"]] = r
            else:
                # run.sh runs each side one round at a time: gather the rounds of a case.
                seen["rounds"] += r["rounds"]
                if "with_language" in r:
                    seen["with_language"]["rounds"] += r["with_language"]["rounds"]
    for sides in rows.values():
        for r in sides.values():
            r["median_s"] = statistics.median(r["rounds"])
            if "with_language" in r:
                r["with_language"]["median_s"] = statistics.median(r["with_language"]["rounds"])
    print(f"# Benchmarks: datafactory vs the Python stack\n")
    print(f"Inputs: the 60 corpus pages (and their human-written text) repeated {repeat}x; median of "
          f"{rounds} rounds; one core each side (`taskset -c 0`), alternating round by round; "
          f"{platform.machine()}, Python {platform.python_version()}. Command: `bench/run.sh {repeat} {rounds}`.\n")
    print("| case | ours | theirs | ours/s | theirs/s | ratio | target | quality |")
    print("|---|---|---|---|---|---|---|---|")
    for case in ["extract", "tokens", "chunk", "minhash", "refine"]:
        r = rows.get(case, {})
        ours, theirs = r.get("rust"), r.get("python")
        if not ours or not theirs:
            continue
        unit = UNIT[case]
        o = ours["units"].get(unit, 0) / ours["median_s"]
        t = theirs["units"].get(unit, 0) / theirs["median_s"]
        q = ""
        if "quality" in ours and "quality" in theirs:
            q = f"F1 {ours['quality']['f1']:.3f} vs {theirs['quality']['f1']:.3f}"
        print(f"| {case} | {ours['tool']} | {theirs['tool']} | {o:,.0f} {unit} | {t:,.0f} {unit} | "
              f"{o / t:.2f}x | {TARGETS[case]}x | {q} |")
        same = rows.get("refine-datatrove", {}).get("python") if case == "refine" else None
        if same:
            # Theirs again, running the rules our Refiner runs (datatrove's filters, fastText
            # language labels) where the row above has only a word count and mean word length.
            s = same["units"].get(unit, 0) / same["median_s"]
            kept = f"kept {ours.get('detail', {}).get('kept', '?')} vs {same.get('detail', {}).get('kept', '?')} pages"
            print(f"| {case}, same filter rules | {ours['tool']} | {same['tool']} | {o:,.0f} {unit} | "
                  f"{s:,.0f} {unit} | {o / s:.2f}x | {TARGETS[case]}x | {kept} |")
        if "with_language" in ours:
            # Ours also detects each page's language, which trafilatura's extract() does not.
            w = ours["units"].get(unit, 0) / ours["with_language"]["median_s"]
            print(f"| {case}, with language detection | {ours['tool']} + whatlang | {theirs['tool']} | "
                  f"{w:,.0f} {unit} | {t:,.0f} {unit} | {w / t:.2f}x | | same text |")


if __name__ == "__main__":
    main()
