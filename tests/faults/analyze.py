#!/usr/bin/env python3
"""tests/faults/analyze.py - check one fault trial against the invariants.

    analyze.py --seed SEED [--autofailover on|off] MONITOR_LOG FAULTS_LOG
    analyze.py --summary REPORT

MONITOR_LOG is tests/faults/monitor's output (what the kernels and the wire
showed); FAULTS_LOG is the runner's log (commands, faults, heals, history
rows).  Prints 'window KIND MS SEED' lines (measurements) and 'violation
SEED: TEXT' lines; exit status 1 when there is a violation.  The invariants
and bounds are described in tests/faults/README.md.
"""
import argparse
import collections
import datetime
import sys

ALIASES = ("10.77.0.10", "fd77::10")
NODES = ("pri", "sec")
MAC_NODE = {"02:77:00:00:00:11": "pri", "02:77:00:00:00:12": "sec"}
CMD_NAME = {2: "takeover", 3: "release", 4: "forceTakeover", 5: "switchAway", 6: "test"}

GAP_BOUND_MS = 2500       # no holder: longer only with a fault or an operator's release
DUAL_BOUND_MS = 3000      # two holders (autofailover on): after the cause or the heal
ANNOUNCE_SLACK_MS = 20    # an announcement may trail the kernel event by this much
# The kernel reports an IPv6 address added with IFA_F_NODAD from its addrconf
# work item, not from the add itself: the agent's add is acknowledged (and
# the address usable) before RTM_NEWADDR goes out, by as long as that work
# waits for a CPU (29 ms seen at load average 5).  An unsolicited NA may lead
# the event by this much; an ARP may not (IPv4 reports at once).
IPV6_ADD_EVENT_LAG_MS = 150
KILL_FORGETS_MS = 3000    # a command accepted this shortly before a kill may leave no row
QUIET_MS = 3000           # a refused SET is checked only with nothing else this close


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            w = line.split()
            if len(w) >= 2 and w[0][0].isdigit():
                yield float(w[0]), w[1], w[2:]
            elif w and w[0] == "hist":
                yield None, "hist", w[1:]


class Timeline:
    """Who holds each alias, from the monitor's address events."""

    def __init__(self, events):
        self.changes = collections.defaultdict(list)   # (node, alias) -> [(t, held)]
        self.announces = []                            # (t, node, alias)
        self.overruns = []
        for t, kind, a in events:
            if kind == "addr" and len(a) == 3:
                alias = a[2].split("/")[0]
                if alias in ALIASES:
                    self.changes[(a[0], alias)].append((t, a[1] == "add"))
            elif kind == "arp" and len(a) == 4 and a[1] in ALIASES:
                self.announces.append((t, MAC_NODE.get(a[0]), a[1]))
            elif kind == "na" and len(a) == 2 and a[1] in ALIASES:
                self.announces.append((t, MAC_NODE.get(a[0]), a[1]))
            elif kind == "overrun":
                self.overruns.append((t, a[0]))

    def held(self, node, alias, t):
        h = False
        for ct, v in self.changes[(node, alias)]:
            if ct > t:
                break
            h = v
        return h

    def held_all(self, node, t):
        return all(self.held(node, a, t) for a in ALIASES)

    def state(self, node, t):
        return tuple(self.held(node, a, t) for a in ALIASES)

    def held_none(self, node, t):
        return not any(self.held(node, a, t) for a in ALIASES)

    def times(self, lo, hi):
        ts = {t for ch in self.changes.values() for t, _ in ch if lo <= t <= hi}
        return sorted(ts | {lo})

    def windows(self, alias, lo, hi, count):
        """Intervals within [lo, hi] when `count` nodes held alias."""
        out, start = [], None
        for t in self.times(lo, hi) + [hi]:
            n = sum(self.held(node, alias, t) for node in NODES)
            if n == count and start is None and t < hi:
                start = t
            elif (n != count or t == hi) and start is not None:
                out.append((start, t))
                start = None
        return out

    def changed(self, node, lo, hi):
        return any(lo <= t <= hi for a in ALIASES for t, _ in self.changes[(node, a)])


class Trial:
    def __init__(self, seed, af, events):
        self.seed, self.af = seed, af
        self.start = self.end = None
        self.log, self.hist = [], collections.defaultdict(dict)
        inside = False
        for t, kind, a in events:
            if kind in ("trial_prep", "trial_start") and a[0] == seed:
                inside = True
                if kind == "trial_start":
                    self.start = t
            elif not inside:
                continue
            if kind == "hist":
                self.hist[(a[0], int(a[1]))][int(a[2])] = " ".join(a[3:])
            else:
                self.log.append((t, kind, a))
            if kind == "trial_end":
                self.end = t
                break
        self.sets = self.pair_sets()

    def pair_sets(self):
        """[(sent, done, node, cmd, result, session)] of the trial's SETs."""
        pending, out = {}, []
        for t, kind, a in self.log:
            if kind == "set_sent":
                pending[(a[0], a[1], a[2])] = t
            elif kind == "set_done":
                sent = pending.pop((a[0], a[1], a[3]), t)
                out.append((sent, t, a[0], int(a[1]), a[2], a[3]))
        return out

    def events(self, *kinds):
        return [(t, a) for t, k, a in self.log if k in kinds]


def fault_spans(trial):
    """[(start, end, kind, node)] of the faults (end: heal or trial end)."""
    open_, out = {}, []
    for t, k, a in trial.log:
        if k == "fault":
            open_[(a[0], a[1])] = t
        elif k == "heal":
            key = (a[0].replace("restart_", "kill_"), a[1])
            if key in open_:
                out.append((open_.pop(key), t, key[0], key[1]))
    out += [(s, trial.end, k, n) for (k, n), s in open_.items()]
    return out


def cuts_l2(kind):
    return kind in ("partition", "link_down", "if_down")


def check_dual(trial, tl, report, bad):
    spans = fault_spans(trial)
    forces = [(s, n) for s, _, n, c, r, _ in trial.sets if c == 4 and r in ("ok", "timeout")]
    for alias in ALIASES:
        for lo, hi in tl.windows(alias, trial.start, trial.end, 2):
            report.append(f"window dual {hi - lo:.0f} {trial.seed}")
            forced = [s for s, n in forces if lo - 3000 <= s <= lo]
            cut = [sp for sp in spans if cuts_l2(sp[2]) and sp[0] <= lo <= sp[1] + 100]
            if not forced and not cut:
                bad.append(f"{alias} held by both servers from {lo:.0f} for {hi - lo:.0f} ms "
                           "without a forceTakeover or a cut between the servers")
                continue
            if trial.af != "on":
                continue
            overlapping = [sp[1] for sp in spans if sp[0] <= hi and sp[1] >= lo]
            quiet = max([lo] + forced + overlapping)
            if hi > quiet + DUAL_BOUND_MS:
                bad.append(f"{alias} held by both servers for {hi - lo:.0f} ms, "
                           f"{hi - quiet:.0f} ms after the cause or the last heal "
                           f"(bound {DUAL_BOUND_MS} ms)")


def operator_release(trial, node, t):
    return any(c == 3 and n == node and r == "ok" and s - 5 <= t <= d + 200
               for s, d, n, c, r, _ in trial.sets)


def check_gap(trial, tl, report, bad, notes):
    spans = fault_spans(trial)
    for alias in ALIASES:
        for lo, hi in tl.windows(alias, trial.start, trial.end, 0):
            lost_by = [n for n in NODES if tl.held(n, alias, lo - 0.001)]
            if any(operator_release(trial, n, lo) for n in lost_by):
                report.append(f"window released {hi - lo:.0f} {trial.seed}")
                continue
            overlapping = [sp for sp in spans if sp[0] <= hi and sp[1] >= lo - 3000]
            report.append(f"window gap{'-fault' if overlapping else ''} {hi - lo:.0f} {trial.seed}")
            if hi - lo <= GAP_BOUND_MS:
                continue
            if overlapping:
                notes.append(f"{alias} held by nobody for {hi - lo:.0f} ms after faults")
                continue
            bad.append(f"{alias} held by nobody for {hi - lo:.0f} ms from {lo:.0f} "
                       f"(bound {GAP_BOUND_MS} ms) with no fault and no operator release")


def check_announces(trial, tl, bad):
    for t, node, alias in tl.announces:
        if not trial.start <= t <= trial.end or node is None:
            continue
        # The kernel reports an IPv6 address a few ms after the agent could use it.
        slack = ANNOUNCE_SLACK_MS
        after = [slack / 2, slack]
        if ":" in alias:
            after += list(range(2 * slack, IPV6_ADD_EVENT_LAG_MS + 1, slack))
        if not any(tl.held(node, alias, t + dt) for dt in [-slack, -slack / 2, 0] + after):
            bad.append(f"{node} announced {alias} at {t:.0f} without holding it")


def check_convergence(trial, report, bad):
    stop = trial.events("faults_stopped")
    conv = trial.events("converged")
    for t, a in trial.events("not_converged"):
        bad.append("did not converge after the faults stopped: " + " ".join(a))
    if stop and conv:
        report.append(f"window converge {conv[-1][0] - stop[-1][0]:.0f} {trial.seed}")


def check_refused(trial, tl, bad):
    if trial.af == "on":
        return
    others = [(t, "x") for t, k, _ in trial.log if k in ("fault", "heal", "operator")]
    for s, d, node, cmd, res, sess in trial.sets:
        if res != "refused":
            continue
        busy = any(s2 - QUIET_MS <= d and d2 >= s - QUIET_MS and (s2, sess2) != (s, sess)
                   for s2, d2, _, _, r2, sess2 in trial.sets if r2 != "refused")
        busy = busy or any(s - QUIET_MS <= t <= d + 300 for t, _ in others)
        if busy:
            continue
        for n in NODES:
            if tl.changed(n, s, d + 200):
                bad.append(f"refused {CMD_NAME.get(cmd, cmd)} on {node} at {s:.0f}: "
                           f"the aliases on {n} changed")


def row_start_ms(value):
    """cmsHaHistoryTime (DateAndTime, hex: when the command started) -> ms since
    the epoch, the start of its tenth of a second."""
    try:
        b = [int(x, 16) for x in value.strip('"').split()]
        tz = datetime.timezone(datetime.timedelta(hours=b[9], minutes=b[10]) *
                               (-1 if chr(b[8]) == "-" else 1))
        d = datetime.datetime(b[0] * 256 + b[1], b[2], b[3], b[4], b[5], b[6], tzinfo=tz)
        return d.timestamp() * 1000 + b[7] * 100
    except (ValueError, IndexError):
        return None


BY_SNMP, BY_PEER, BY_AUTOMATIC = 1, 2, 3
BY_NAME = {1: "snmp", 2: "peer", 3: "automatic", 4: "startup", 5: "config"}


def expected_rows(trial, node):
    """Counters of (command, done|refused) for rows by snmp(1), the NOC's
    SETs on this server: required, and optional ones (a SET that timed out,
    failed or met a kill may have left a row or not)."""
    need, maybe = collections.Counter(), collections.Counter()
    kills = [t for t, a in trial.events("fault") if a[0] in ("kill_cmshad", "kill_snmpd")
             and a[1] == node]
    for s, d, n, cmd, res, _ in trial.sets:
        if n != node:
            continue
        killed = any(s <= k <= d + KILL_FORGETS_MS for k in kills)
        if res == "refused":
            need[(cmd, "refused")] += 1
        elif res == "ok" and not killed:
            need[(cmd, "done")] += 1
        elif res in ("ok", "timeout", "error"):
            maybe[(cmd, "done")] += 1
            maybe[(cmd, "refused")] += 1
    return need, maybe


def peer_requests(trial, node):
    """Counter of commands the peer agent may have asked of this server
    (rows by peer(2), done or refused), from the NOC's SETs: a takeover on
    the other server asks this one to release (and, failing after that, to
    take the service back: forceTakeover); a switchAway on the other server
    asks this one to take over; a switchAway on this server makes the other
    take over, which asks this one to release (or gives back).  An
    automatic(3) switchAway asks as the NOC's does (an automatic takeover
    does not ask the peer)."""
    asked = collections.Counter()
    sent = [(n, cmd, res) for _, _, n, cmd, res, _ in trial.sets]
    sent += [(n, 5, "ok") for (n, _), r in trial.hist.items()
             if r.get(3) == "5" and r.get(4) == str(BY_AUTOMATIC)]
    for n, cmd, res in sent:
        if res not in ("ok", "timeout", "error"):
            continue
        if (n != node and cmd == 2) or (n == node and cmd == 5):
            asked[3] += 1
            asked[4] += 1
        if n != node and cmd == 5:
            asked[2] += 1
        if n != node and cmd == 6:      # a test on the active server asks the peer's
            asked[6] += 1
    return asked


def check_initiators(trial, node, rows, bad):
    """Rows by peer(2) only for what the peer could have asked; automatic(3)
    only with autofailover on."""
    asked, got = peer_requests(trial, node), collections.Counter()
    for i, (cmd, by, _) in sorted(rows.items()):
        if by == BY_PEER:
            got[cmd] += 1
        elif by == BY_AUTOMATIC and trial.af != "on":
            bad.append(f"{node} history row {i}: {CMD_NAME.get(cmd, cmd)} by automatic(3) "
                       "with autofailover off")
    for cmd, n in sorted(got.items()):
        if n > asked[cmd]:
            bad.append(f"{node} history: {n} row(s) {CMD_NAME.get(cmd, cmd)} by peer, only "
                       f"{asked[cmd]} NOC SET(s) could have made the peer ask for them")


def check_history(trial, tl, bad):
    for node in NODES:
        rows = {i: r for (n, i), r in trial.hist.items() if n == node}
        got, parsed = collections.Counter(), {}
        for i, r in sorted(rows.items()):
            try:
                cmd, by, result = int(r[3]), int(r[4]), int(r[5])
            except (KeyError, ValueError):
                bad.append(f"{node} history row {i} unreadable: {r}")
                continue
            parsed[i] = (cmd, by, result)
            if by == BY_SNMP:
                got[(cmd, "refused" if result == 3 else "done")] += 1
            check_row(trial, tl, node, i, r, cmd, result, bad)
        check_initiators(trial, node, parsed, bad)
        need, maybe = expected_rows(trial, node)
        for key in set(got) | set(need):
            name = f"{CMD_NAME.get(key[0], key[0])} {key[1]}"
            if got[key] < need[key]:
                bad.append(f"{node} history: {need[key]} SET(s) {name} from the NOC, "
                           f"{got[key]} row(s) by snmp")
            elif got[key] > need[key] + maybe[key]:
                bad.append(f"{node} history: {got[key]} row(s) {name} by snmp, "
                           f"only {need[key] + maybe[key]} SET(s) could have made them")


def check_row(trial, tl, node, i, r, cmd, result, bad):
    """A row's result matches what the kernel of its server showed."""
    start = row_start_ms(r.get(2, ""))
    if start is None or result == 3 or not trial.start <= start <= trial.end:
        return
    try:
        dur = int(r.get(6, "0"))
    except ValueError:
        return
    # The time is to the tenth of a second; the kernel's events trail a little.
    lo, hi = start - 150, start + 100 + dur + 250
    end = start + dur
    ts = [t for t in tl.times(lo, hi)] + [hi]
    reason = r.get(7, "")
    if result == 1 and cmd in (2, 4) and not any(tl.held_all(node, t) for t in ts):
        bad.append(f"{node} history row {i}: {CMD_NAME[cmd]} succeeded, but {node} "
                   f"never held every alias around {end:.0f} ({reason})")
    if result == 1 and cmd in (3, 5) and not any(tl.held_none(node, t) for t in ts):
        bad.append(f"{node} history row {i}: {CMD_NAME[cmd]} succeeded, but {node} "
                   f"still held aliases around {end:.0f} ({reason})")
    if result == 2 and tl.state(node, lo) != tl.state(node, hi):
        others = [j for (n, j), rr in trial.hist.items() if n == node and j != i and
                  lo - 300 < (row_start_ms(rr.get(2, "")) or 0) < hi + 300]
        if not others:
            bad.append(f"{node} history row {i}: failed {CMD_NAME.get(cmd, cmd)} changed "
                       f"the aliases on {node} ({reason})")


def analyze(args):
    mon = list(read_lines(args.logs[0]))
    trial = Trial(args.seed, args.autofailover, list(read_lines(args.logs[1])))
    if trial.start is None or trial.end is None:
        print(f"violation {args.seed}: trial not found in {args.logs[1]}")
        return 1
    tl = Timeline([e for e in mon if e[0] is not None and e[0] <= trial.end])
    report, bad, notes = [], [], []
    for t, node in tl.overruns:
        if trial.start <= t <= trial.end:
            bad.append(f"the monitor lost netlink events on {node}: state unknown")
    check_dual(trial, tl, report, bad)
    check_gap(trial, tl, report, bad, notes)
    check_announces(trial, tl, bad)
    check_convergence(trial, report, bad)
    check_refused(trial, tl, bad)
    check_history(trial, tl, bad)
    for line in report:
        print(line)
    for n in notes:
        print(f"note {args.seed}: {n}")
    for b in bad:
        print(f"violation {args.seed}: {b}")
    return 1 if bad else 0


def summary(path):
    worst, count = {}, collections.Counter()
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        w = line.split()
        if w[0] == "window":
            kind, ms, seed = w[1], float(w[2]), w[3]
            count[kind] += 1
            if ms > worst.get(kind, (-1, ""))[0]:
                worst[kind] = (ms, seed)
        elif w[0] in ("violation", "note"):
            count[w[0]] += 1
    labels = {"dual": "two holders", "gap": "no holder (switch-over)",
              "gap-fault": "no holder (with a fault)", "released": "no holder (released)",
              "converge": "convergence after the faults stopped"}
    for kind, label in labels.items():
        if kind in worst:
            ms, seed = worst[kind]
            print(f"worst {label}: {ms:.0f} ms (seed {seed}; {count[kind]} window(s))")
    print(f"violations found: {count['violation']}; notes: {count['note']}")
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed")
    p.add_argument("--autofailover", default="off")
    p.add_argument("--summary")
    p.add_argument("logs", nargs="*")
    args = p.parse_args()
    if args.summary is not None:
        return summary(args.summary)
    return analyze(args)


if __name__ == "__main__":
    sys.exit(main())
