# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reference model against the project's hand-written expectations.

The differential test trusts ntk_model.py; this checks the model on its own,
without any C code: it builds the sample agency (conf/ntk.conf.sample,
conf/sample-directory.ldif, supervision_depth = 2 as tests/lib/ntkd.sh
writes it) and asks the model every question whose answer the suites spell
out by hand: the check_is lines of tests/integration/decisions.sh and the
groups of tests/nss/nss_lib.sh. Break-glass lines (--reason) are left out:
the model holds no grants.

usage: model_selftest.py TOP_SRCDIR   (exit 0: all agree, 1: a difference)
"""

import datetime
import os
import re
import shlex
import sys

import ntk_gen
import ntk_model as model


def read_conf(path):
    systems, roles, section = [], {}, None
    for line in open(path, encoding="utf-8"):
        line = line.split(";", 1)[0].strip()
        m = re.match(r"\[(system|role):(\S+)\]$", line)
        if m:
            section = m.groups()
            if section[0] == "role":
                roles[section[1]] = {"cases": "none", "write": False, "closed": False,
                                     "sealed": False, "release": False}
            else:
                systems.append((section[1], []))
            continue
        if line.startswith("["):
            section = None
        if section is None or "=" not in line:
            continue
        key, val = (x.strip() for x in line.split("=", 1))
        if section[0] == "system" and key == "roles":
            systems[-1][1].extend(val.split())
        elif section[0] == "role" and key in roles[section[1]]:
            roles[section[1]][key] = val if key == "cases" else val == "yes"
    return systems, roles


def read_ldif(path):
    people, cur = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            cur = None
            continue
        key, _, val = line.partition(": ")
        if key == "uid":
            cur = people.setdefault(val, {"roles": [], "manager": None, "assign": [],
                                          "disabled": False})
        elif cur is not None and key == "ntkRole":
            cur["roles"].append(val)
        elif cur is not None and key == "ntkCaseAssignment":
            cur["assign"].append(val)
        elif cur is not None and key == "manager":
            cur["manager"] = val.split(",", 1)[0].split("=", 1)[1]
    return people


def main(top):
    systems, roles = read_conf(os.path.join(top, "conf/ntk.conf.sample"))
    people = read_ldif(os.path.join(top, "conf/sample-directory.ldif"))
    cases = sorted({model.parse_assignment(a)["case"] for p in people.values() for a in p["assign"]
                    if model.parse_assignment(a)})
    world = {"today": datetime.date.today(), "depth": 2, "systems": systems, "roles": roles,
             "people": people, "cases": cases}
    bad = checked = 0
    for line in open(os.path.join(top, "tests/integration/decisions.sh"), encoding="utf-8"):
        if not line.startswith("check_is ") or "--reason" in line:
            continue
        words = shlex.split(line)
        want, opts = words[1], dict(zip(words[2::2], words[3::2]))
        case = opts.get("--case")
        got = model.decide(world, opts["--user"], opts["--system"],
                           opts.get("--action", "read" if case else "login"), case,
                           opts.get("--state", "open"))
        checked += 1
        if got != want:
            bad += 1
            print("decisions.sh: %s: expected [%s], model [%s]" % (" ".join(words[2:]), want, got))
    nss = open(os.path.join(top, "tests/nss/nss_lib.sh"), encoding="utf-8").read()
    for name, gid, members in re.findall(r'"ntk-case-(\d+):\*:(\d+):([a-z,]*)"', nss):
        got = ",".join(sorted(model.case_group(world, name)))
        checked += 1
        if got != members or model.case_gid(name, ntk_gen.GIDS) != int(gid):
            bad += 1
            print("nss_lib.sh: ntk-case-%s: expected [%s] gid %s, model [%s]" % (name, members, gid, got))
    for user, gids in re.findall(r'\[(\w+)\]="([0-9 ]+)"', nss):
        got = " ".join(str(g) for g in sorted(model.initgroups(world, user, ntk_gen.GIDS)))
        checked += 1
        if got != gids:
            bad += 1
            print("nss_lib.sh: initgroups %s: expected [%s], model [%s]" % (user, gids, got))
    print("model_selftest: %d hand-written answers, %d differ from the model" % (checked, bad))
    return 1 if bad or checked < 60 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
