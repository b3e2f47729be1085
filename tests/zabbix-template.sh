#!/bin/bash
# nms/zabbix/cmsha-template.yaml against mibs/CMS-HA-MIB.txt: every item,
# item prototype and discovery OID is a readable CMS-HA-MIB object (scalars
# with instance .0, table columns by {#SNMPINDEX}); every item whose object
# is an enumeration has the value map of exactly that enumeration (and no
# other item has one); text objects are text items, numbers numeric; every
# trigger names items of the template and compares mapped items only with
# values of their map.  The template is not loaded into Zabbix here: that
# needs Zabbix's server and web frontend.
# Needs python3 with PyYAML (python3-yaml), snmptranslate and the IETF base
# MIBs (skips without them, fails with CI=true).
set -euo pipefail
here=$(dirname "$0")
SRC=$(cd "${top_srcdir:-$here/..}" && pwd)
. "$here/assert.sh"
. "$SRC/scripts/deps.sh"
cmsha_find_base_mibs "$SRC"

command -v snmptranslate >/dev/null || skip_or_fail "snmptranslate not found (snmp)"
python3 -c 'import yaml' 2>/dev/null || skip_or_fail "python3 with PyYAML not found (python3-yaml)"
export MIBS=+CMS-HA-MIB SNMPCONFPATH=/nonexistent
export MIBDIRS="$SRC/mibs:${MIBDIRS:+$MIBDIRS:}/var/lib/mibs/ietf:/usr/share/snmp/mibs"
snmptranslate -On CMS-HA-MIB::cmsHaOperState >/dev/null 2>&1 ||
	skip_or_fail "CMS-HA-MIB does not load (IETF base MIBs: MIBDIRS, ../shared/mibs, /var/lib/mibs/ietf)"

python3 - "$SRC/nms/zabbix/cmsha-template.yaml" <<'PYEOF'
import re
import subprocess
import sys
import yaml

ROOT = "1.3.6.1.4.1.8072.9999.9999.77."
failures = 0


def check(ok, what):
    global failures
    print(("PASS: " if ok else "FAIL: ") + what)
    if not ok:
        failures += 1


def mib_object(oid):
    """What snmptranslate -Td says about a numeric OID: name, syntax, enum, access, column?"""
    out = subprocess.run(["snmptranslate", "-Td", "-OS", "." + oid],
                         capture_output=True, text=True)
    text = out.stdout
    first = text.splitlines()[0] if text else ""
    syntax = re.search(r"^\s*SYNTAX\s+(.*)$", text, re.M)
    access = re.search(r"^\s*MAX-ACCESS\s+(\S+)", text, re.M)
    tc = re.search(r"TEXTUAL CONVENTION (\S+)", text)
    enum = {}
    if syntax and "{" in syntax.group(1):
        for label, num in re.findall(r"(\w+)\((\d+)\)", syntax.group(1).split("{", 1)[1]):
            enum[num] = label
    return {
        "name": first,
        "syntax": (tc.group(1) + " " if tc else "") + (syntax.group(1) if syntax else ""),
        "access": access.group(1) if access else "",
        "enum": enum,
        "column": re.search(r"Entry\(1\) (\w+\()?\d+\)? \}$", text.strip().splitlines()[-1] if text else "") is not None,
        "ok": out.returncode == 0 and first.startswith("CMS-HA-MIB::"),
    }


with open(sys.argv[1]) as f:
    export = yaml.safe_load(f)["zabbix_export"]
check(export.get("version") == "6.0", "Zabbix export format 6.0")
template = export["templates"][0]
tname = template["template"]
valuemaps = {v["name"]: {m["value"]: m["newvalue"] for m in v["mappings"]}
             for v in template.get("valuemaps", [])}

items = [(i, "scalar") for i in template.get("items", [])]
rules = template.get("discovery_rules", [])
for rule in rules:
    items += [(p, "column") for p in rule.get("item_prototypes", [])]
keys = {i["key"]: i for i, _ in items}
check(len(keys) == len(items), "item keys are unique")

TEXTUAL = ("DisplayString", "SnmpAdminString", "OCTET STRING")
for item, kind in items:
    key, oid = item["key"], str(item["snmp_oid"])
    if kind == "scalar":
        base = oid[:-2] if oid.endswith(".0") else None
        check(base is not None, f"{key}: {oid} is a scalar instance (.0)")
    else:
        base = oid[:-len(".{#SNMPINDEX}")] if oid.endswith(".{#SNMPINDEX}") else None
        check(base is not None, f"{key}: {oid} is a column by {{#SNMPINDEX}}")
    if base is None:
        continue
    obj = mib_object(base)
    check(obj["ok"] and oid.startswith(ROOT), f"{key}: {oid} is {obj['name'] or 'not in CMS-HA-MIB'}")
    check(obj["column"] == (kind == "column"),
          f"{key}: {obj['name']} is {'a table column' if obj['column'] else 'a scalar'}, as the item expects")
    check(obj["access"] == "read-only", f"{key}: {obj['name']} is read-only (no control object is polled)")
    vm = item.get("valuemap", {}).get("name")
    if obj["enum"]:
        check(vm is not None and valuemaps.get(vm) == obj["enum"],
              f"{key}: value map '{vm}' is {obj['name']}'s enumeration {obj['enum']}")
    else:
        check(vm is None, f"{key}: {obj['name']} is no enumeration and has no value map")
    text = any(t in obj["syntax"] for t in TEXTUAL)
    vtype = item.get("value_type", "UNSIGNED")
    check((vtype in ("TEXT", "CHAR")) == text,
          f"{key}: value type {vtype} fits {obj['name']}'s syntax ({obj['syntax'].strip()})")

for rule in rules:
    pairs = re.fullmatch(r"discovery\[(.*)\]", rule["snmp_oid"])
    check(pairs is not None, f"{rule['key']}: discovery[...] OIDs")
    if pairs is None:
        continue
    parts = pairs.group(1).split(",")
    for macro, oid in zip(parts[0::2], parts[1::2]):
        obj = mib_object(oid)
        check(obj["ok"] and obj["column"], f"{rule['key']}: {macro} from {oid} = {obj['name']}, a column")
        check(any(t in obj["syntax"] for t in TEXTUAL), f"{rule['key']}: {macro} is text ({obj['syntax'].strip()})")

triggers = []
for item, _ in items:
    triggers += item.get("triggers", []) + item.get("trigger_prototypes", [])
for rule in rules:
    triggers += rule.get("trigger_prototypes", [])
check(len(triggers) > 0, "the template has triggers")
for trig in triggers:
    refs = re.findall(r"\w+\(/([^/]+)/([^,)]+(?:\[[^\]]*\])?)(?:,[^)]*)?\)\s*=\s*(\d+)?", trig["expression"])
    for host, key, value in refs:
        check(host == tname and key in keys, f"trigger '{trig['name']}': item {key} of {tname}")
        vm = keys.get(key, {}).get("valuemap", {}).get("name")
        if value and vm:
            check(value in valuemaps[vm], f"trigger '{trig['name']}': {key} = {value} is {valuemaps[vm].get(value, 'not in its map')}")
sys.exit(1 if failures else 0)
PYEOF
