#!/bin/bash
# Soak: 100 snmpd restarts (or $RESTARTS), each reconnect time printed, then
# the same checks as the make-check test (2 s each, every object served, no
# fd leaked) and cmshad's resident memory before and after.  Not in make check.
exec env RESTARTS="${RESTARTS:-100}" SHOW_TIMES=1 "$(dirname "$0")/integration-reconnect.sh"
