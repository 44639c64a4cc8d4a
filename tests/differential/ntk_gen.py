# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random, reproducible worlds for the differential test: a directory and a config.

gen_world(seed, today) returns a world as ntk_model.py describes it, plus
"cases" (the case ids asked about) and "role_source". to_ldif() and
to_conf() render it for slapd and ntkd. Everything comes from
random.Random(seed): the same seed gives the same world.
"""

import datetime
import os
import random

# Names every SQL server knows the system by (pg_lib.sh, mysql_lib.sh).
SQL_SYSTEM = "FACTS"
# 99999 is the last case with a group (case_gid_min + id = case_gid_max);
# 100000 is past it, so it has none.
CASE_POOL = ["1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008",
             "77", "A-7", "x.y:z", "1009", "99999", "100000"]
STATES = ("open", "closed", "sealed")
CASES_KINDS = ("assigned", "supervised", "all", "none")
STAFF_FILTER = "(&(objectClass=inetOrgPerson)(!(description=disabled)))"
# NTK_DIFF_OLD_BUILD=1: no release key or questions and no group_nesting, for
# builds from before them (to show the test catching an old bug).
OLD_BUILD = os.environ.get("NTK_DIFF_OLD_BUILD", "0") == "1"
RELEASE = not OLD_BUILD
ACTIONS = ("read", "write", "release") if RELEASE else ("read", "write")


def _assignment(rng, world, today):
    """One ntkCaseAssignment value, sometimes malformed on purpose."""
    case = rng.choice(CASE_POOL)
    params = []
    if rng.random() < 0.3:
        params.append("system=" + rng.choice([s for s, _ in world["systems"]] + ["NOPE"]))
    if rng.random() < 0.5:
        # Around the local midnight: yesterday, today, tomorrow, and far off.
        delta = rng.choice([-400, -1, -1, 0, 0, 1, 1, 400])
        params.append("until=" + (today + datetime.timedelta(days=delta)).isoformat())
    if rng.random() < 0.25:
        params.append("access=read")
    rng.shuffle(params)
    value = ";".join([case] + params)
    if rng.random() < 0.12:
        value = rng.choice([
            case + " 9",                      # space in the case id
            case + ";shared=yes",             # unknown parameter
            case + ";until=2026-02-30",       # no such day
            case + ";until=tomorrow",         # not a date
            case + ";access=write",           # unknown access value
            "x" * 65,                          # case id too long
            case + ";system=",                # empty system
            case + ";until",                  # parameter without a value
            case + ";access=read;access=read",  # a parameter twice
            case + ";System=FACTS",           # parameter names are lower case
            case + "; until=2099-01-01",      # a space before the name
        ])
    elif rng.random() < 0.05:
        value = case + ";system=facts"        # system names match exactly
    return value


def gen_world(seed, today, n_people=None):
    rng = random.Random(seed)
    world = {"seed": seed, "today": today, "depth": rng.randint(1, 4),
             "role_source": rng.choice(["attribute", "group"])}
    roles = {}
    for i in range(rng.randint(4, 8)):
        roles["r%d" % i] = {"cases": rng.choice(CASES_KINDS),
                            "write": rng.random() < 0.5, "closed": rng.random() < 0.4,
                            "sealed": rng.random() < 0.25, "release": RELEASE and rng.random() < 0.25}
    world["roles"] = roles
    names = list(roles)
    systems = [SQL_SYSTEM] + ["SYS%d" % i for i in range(rng.randint(1, 2))]
    world["systems"] = [(s, rng.sample(names, rng.randint(len(names) // 2, len(names))))
                       for s in systems]

    n = n_people or rng.randint(12, 30)
    uids = ["u%02d" % i for i in range(n)]
    people = {}
    for i, uid in enumerate(uids):
        held = rng.sample(names, rng.choice([0, 1, 1, 2, 2, 3, 3]))
        if rng.random() < 0.1:
            held.append("ghost")              # a role no config declares
        if held and rng.random() < 0.1:
            held[0] = held[0].upper()         # role names match ignoring case
        r = rng.random()
        if r < 0.6 and i > 0:
            manager = uids[rng.randrange(max(0, i - 6), i)]   # a tree, up to depth ~4
        elif r < 0.7:
            manager = rng.choice(uids)        # may close a cycle, or name itself
        elif r < 0.75:
            manager = "left%02d" % i          # dangling: no such entry
        else:
            manager = None
        people[uid] = {"roles": held, "manager": manager, "disabled": rng.random() < 0.15,
                       "assign": []}
    world["people"] = people
    for uid in uids:
        values = [_assignment(rng, world, today) for _ in range(rng.choice([0, 1, 1, 2, 3, 4]))]
        # An attribute holds a value once (LDAP compares them ignoring case).
        people[uid]["assign"] = list({v.lower(): v for v in values}.values())
    # 5555: nobody's; a-7: A-7 in another case (case ids match exactly).
    if world["role_source"] == "group":
        # Groups within role groups (cycles too), counted group_nesting levels deep.
        world["nesting"] = 0 if OLD_BUILD else rng.choice([0, 1, 1, 2])
        pool = [r.lower() for r in names] + ["ghost"]
        nest = {}
        for _ in range(rng.randint(0, 4)):
            outer, inner = rng.sample(pool, 2)
            nest.setdefault(outer, set()).add(inner)
        world["nest"] = nest
    world["cases"] = list(CASE_POOL) + ["5555", "a-7"]
    return world


def people_dn(tag, uid, base):
    return "uid=%s%s,ou=people,%s" % (tag, uid, base)


def to_ldif(world, base, tag):
    """The world's entries below `base` (its ou is created too), uids prefixed by tag."""
    ou = base.split(",", 1)[0].split("=", 1)[1]
    out = ["dn: %s\nobjectClass: organizationalUnit\nou: %s\n" % (base, ou),
           "dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n" % base,
           "dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n" % base]
    groups = {}
    for uid, p in world["people"].items():
        lines = ["dn: " + people_dn(tag, uid, base), "objectClass: inetOrgPerson",
                 "objectClass: ntkStaff", "uid: " + tag + uid, "cn: Staff " + uid, "sn: " + uid]
        if p["disabled"]:
            lines.append("description: disabled")
        for r in p["roles"]:
            if world["role_source"] == "attribute":
                lines.append("ntkRole: " + r)
            else:
                # One group per role whatever the spelling: DNs ignore case.
                groups.setdefault(r.lower(), [r, []])[1].append(people_dn(tag, uid, base))
        for a in p["assign"]:
            lines.append("ntkCaseAssignment: " + a)
        if p["manager"]:
            lines.append("manager: " + people_dn(tag, p["manager"], base))
        out.append("\n".join(lines) + "\n")
    for outer, inners in world.get("nest", {}).items():
        groups.setdefault(outer, [outer, []])[1].extend(
            "cn=%s,ou=groups,%s" % (i, base) for i in sorted(inners))
    for r, members in groups.values():
        lines = ["dn: cn=%s,ou=groups,%s" % (r, base), "objectClass: groupOfNames", "cn: " + r]
        lines += ["member: " + m for m in members]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def to_conf(world, base, env):
    """ntk.conf for ntkd on this world; env holds uri, socket, binddn, bindpw_file."""
    ldap = [
        "[ldap]", "uri = " + env["uri"], "base = " + base, "binddn = " + env["binddn"],
        "bindpw_file = " + env["bindpw_file"], "staff_filter = " + STAFF_FILTER,
        "supervision_depth = %d" % world["depth"], "role_source = " + world["role_source"],
    ] + (["group_nesting = %d" % world["nesting"]] if world.get("nesting") else []) + [
        "timeout = 5", "",
        "[daemon]", "socket = " + env["socket"], "trusted_peers = postgres mysql",
        "threads = 4", "",
        "[cache]", "ttl = 300", "negative_ttl = 60", "",
        "[audit]", "allows = no", "auditd_pid_file = none", "",
        "[nss]", "visibility = member", "case_gid_min = 200000", "case_gid_max = 299999",
        "system_gid_min = 190000", "role_gid_min = 191000", "",
    ]
    for s, listed in world["systems"]:
        ldap += ["[system:%s]" % s, "roles = " + " ".join(listed), ""]
    yn = {True: "yes", False: "no"}
    for r, d in world["roles"].items():
        ldap += ["[role:%s]" % r, "cases = " + d["cases"]]
        ldap += ["%s = %s" % (k, yn[d[k]]) for k in ("write", "closed", "sealed", "release")
                 if k != "release" or RELEASE]
        ldap.append("")
    return "\n".join(ldap)


GIDS = {"system_gid_min": 190000, "role_gid_min": 191000, "case_gid_min": 200000,
        "case_gid_max": 299999}


def queries(world):
    """Every (user, system, action, case, state) the test asks."""
    users = list(world["people"])
    systems = [s for s, _ in world["systems"]]
    # Someone not in the directory, a system not in the config: a few questions each.
    out = [(u, s, a, c, "open") for u, s in (("nobody99", systems[0]), (users[0], "NOSUCH"))
           for a, c in (("login", ""), ("read", world["cases"][0]))]
    for u in users:
        for s in systems:
            out.append((u, s, "login", "", "open"))
            for c in world["cases"]:
                for st in STATES:
                    for act in ACTIONS:
                        out.append((u, s, act, c, st))
    return out
