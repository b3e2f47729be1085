#!/bin/bash
# make check: a short randomized fault-injection run (tests/faults/README.md).
# The same 50 seeds every time, so that make check does not change verdict
# from run to run by drawing new scenarios (the long run draws new ones).
# FAULTS_TRIALS / FAULTS_TIME_LIMIT / FAULTS_SEED override the defaults; a
# failure prints the seed of each trial with a violation, to replay it.
set -uo pipefail
here=$(dirname "$0")
exec "$here/run-trials" --trials "${FAULTS_TRIALS:-50}" \
	--time-limit "${FAULTS_TIME_LIMIT:-300}" \
	--autofailover "${FAULTS_AUTOFAILOVER:-both}" \
	--seed "${FAULTS_SEED:-623535000}"
