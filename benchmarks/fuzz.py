"""The long fuzzing run (issues 10 and 19): the hardening properties with many more examples than the test suite.

    .venv/bin/python benchmarks/fuzz.py                   # 2,000 examples per input property
    .venv/bin/python benchmarks/fuzz.py --examples 500    # a shorter run

Runs every Hypothesis property of the hardening tests with ``PATHWAYS_FUZZ_EXAMPLES`` set (read only
by those tests): random CSV files, random bytes as CSV, random frames and random XES documents get
``--examples`` inputs each, and the property that runs every analysis on a fuzzed log gets a tenth
of that (each of its inputs runs some twenty analyses); so do the random options of every reader
and of the config file (tests/io/test_reader_options.py) and the hostile names written to every
output (tests/hardening/test_outputs.py). The examples are drawn afresh on every run
(the normal suite repeats the same ones). Prints how many inputs each property tried and the result;
a failure is shrunk by Hypothesis to a minimal input, printed in full.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
#: The tests that hold Hypothesis properties (the other tests of these files run once, as in the suite).
PROPERTIES = ["tests/hardening/test_fuzz_inputs.py", "tests/hardening/test_outputs.py",
              "tests/io/test_reader_options.py::test_random_options_give_an_event_log_or_a_pathways_error",
              "tests/io/test_reader_options.py::test_random_config_values_never_make_the_cli_say_internal_error"]
ROOT = os.path.dirname(HERE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000, help="inputs per input property (default 2000)")
    args = parser.parse_args()
    env = {**os.environ, "PATHWAYS_FUZZ_EXAMPLES": str(args.examples)}
    cmd = [sys.executable, "-m", "pytest", *PROPERTIES, "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics"]
    print("$ PATHWAYS_FUZZ_EXAMPLES=%d %s" % (args.examples, " ".join(cmd[2:])), flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    out = done.stdout + done.stderr
    total = {"passing": 0, "failing": 0, "invalid": 0}
    print(f"\n{'property':<84}{'passing':>9}{'failing':>9}{'invalid':>9}")
    for block in re.split(r"\n(?=tests/\S+::)", out):
        name = re.match(r"tests/\S+::(\S+):", block)
        if not name:
            continue
        counts = {"passing": 0, "failing": 0, "invalid": 0}
        for n_pass, n_fail, n_inv in re.findall(r"(\d+) passing, (\d+) failing, and (\d+) invalid", block):
            counts["passing"] += int(n_pass)
            counts["failing"] += int(n_fail)
            counts["invalid"] += int(n_inv)
        for k in total:
            total[k] += counts[k]
        print(f"{name.group(1):<84}{counts['passing']:>9,}{counts['failing']:>9,}{counts['invalid']:>9,}")
    print(f"{'in all':<84}{total['passing']:>9,}{total['failing']:>9,}{total['invalid']:>9,}")
    summary = [line for line in out.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    print(f"\n{summary[-1] if summary else 'no pytest summary'}; {seconds:.0f} s")
    if done.returncode:
        print(out[-20000:])
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
