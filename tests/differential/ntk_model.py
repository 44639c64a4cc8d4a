# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reference model: DESIGN.md's decision rules, stated once, in Python.

Written from DESIGN.md, ntk.conf(5) and libnss_ntk(8) alone, not from
common/ntk_policy.c: the differential test compares every enforcement path
with it, so it must stay an independent reading of the contract. Keep it
short and plain; it is the readable statement of the rules.

A world is a plain dict (see ntk_gen.py for how one is made):
    today     datetime.date, ntkd's local date
    depth     supervision_depth
    systems   [(name, [role, ...])] in config order
    roles     {name: {"cases": .., "write": bool, "closed": bool,
               "sealed": bool, "release": bool}} in config order
    nesting, nest   role_source = group only: group_nesting, and
               {outer group: {inner group, ...}} (lower-case role names)
    people    {uid: {"roles": [value, ...], "manager": uid or None,
               "assign": [raw ntkCaseAssignment value, ...],
               "disabled": bool}}
A person missing from `people` is not in the directory at all.

Where DESIGN.md's words leave a choice, the model reads them as ntk.conf(5)
does (the differential test confirmed every path agrees):
  - write and release take the first basis that allows them (an own
    access=read assignment does not stop a cases = all role with write =
    yes); DESIGN's step 6 says "the basis";
  - role:NAME is the first cases = all role in the system's roles line;
  - a manager chain stops at an entry staff_filter rejects: nobody reaches
    a supervisor through a disabled manager;
  - release = yes counts behind an own assignment or a cases = all role,
    never behind supervision;
  - assignment parameters are lower case, once each, no spaces; system
    names and case ids match exactly.
"""

import datetime
import re

CASE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}\Z")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def parse_assignment(value):
    """One ntkCaseAssignment value -> dict, or None when malformed (ignored)."""
    parts = value.split(";")
    if not CASE_ID.match(parts[0]):
        return None
    a = {"case": parts[0], "system": None, "until": None, "read_only": False}
    seen = set()
    for p in parts[1:]:
        key, eq, val = p.partition("=")
        if not eq or key in seen:
            return None
        seen.add(key)
        if key == "system" and val:
            a["system"] = val
        elif key == "until" and DATE.match(val):
            try:
                a["until"] = datetime.date.fromisoformat(val)
            except ValueError:
                return None
        elif key == "access" and val == "read":
            a["read_only"] = True
        else:
            return None  # unknown parameter or bad value: may be a restriction
    return a


def assignments(world, uid, case, system):
    """The well-formed assignments of uid for case usable on system (None: any)."""
    out = []
    for raw in world["people"][uid]["assign"]:
        a = parse_assignment(raw)
        if a and a["case"] == case and (system is None or a["system"] in (None, system)):
            out.append(a)
    return out


def active(world, a):
    return a["until"] is None or a["until"] >= world["today"]


def is_staff(world, uid):
    """In the directory and matching staff_filter (not disabled)."""
    p = world["people"].get(uid)
    return p is not None and not p["disabled"]


def held_roles(world, uid):
    """Declared roles the person holds (role names match ignoring case).

    With role_source = group a role is a group the person is a member of,
    or (group_nesting levels up) a group holding such a group.
    """
    values = {v.lower() for v in world["people"][uid]["roles"]}
    frontier = set(values)
    for _ in range(world.get("nesting", 0)):
        frontier = {outer for outer, inner in world.get("nest", {}).items()
                    if inner & frontier} - values
        values |= frontier
    return [r for r in world["roles"] if r.lower() in values]


def system_roles(world, system):
    return dict(world["systems"]).get(system)


def below(world, boss):
    """{uid: distance} of staff whose manager chain reaches boss within depth.

    Every link of the chain is staff: a disabled or departed manager in
    between is not someone's report, so nobody reaches boss through them
    (ntk.conf(5): subordinates must match staff_filter).
    """
    out = {}
    for uid in world["people"]:
        if uid == boss or not is_staff(world, uid):
            continue
        cur, seen = uid, set()
        for dist in range(1, world["depth"] + 1):
            cur = world["people"][cur]["manager"]
            if cur is None or cur not in world["people"] or cur in seen:
                break
            seen.add(cur)
            if cur == boss:
                out[uid] = dist
                break
            if not is_staff(world, cur):
                break
    return out


def decide(world, user, system, action, case=None, state="open"):
    """The verdict ntkctl check prints: 'ALLOW rule=X' or 'DENY reason=X'."""
    listed = system_roles(world, system)
    if listed is None:
        return "DENY reason=unknown-system"
    if user not in world["people"]:
        return "DENY reason=unknown-user"
    if not is_staff(world, user):
        return "DENY reason=account-disabled"
    mine = [r for r in held_roles(world, user) if r in listed]
    if not mine:
        return "DENY reason=system-not-permitted"
    if action == "login":
        return "ALLOW rule=system-access"

    # In the order of the system's roles line: role:NAME names the first
    # role there with cases = all (DESIGN's "config order").
    roles = world["roles"]
    counting = [r for r in listed if r in mine and roles[r]["cases"] != "none"]
    if not counting:
        return "DENY reason=no-business-reason"
    if state in ("closed", "sealed"):
        counting = [r for r in counting if roles[r][state]]
        if not counting:
            return "DENY reason=case-" + state

    own = [a for a in assignments(world, user, case, system) if active(world, a)]
    supervising = [r for r in counting if roles[r]["cases"] == "supervised"]
    team = []
    if supervising:
        for uid in below(world, user):
            team += [a for a in assignments(world, uid, case, system) if active(world, a)]
    every = [r for r in counting if roles[r]["cases"] == "all"]

    # Step 5: the bases in order, each with the rule it gives for read,
    # write and release (None: this basis does not allow that action).
    def rw(grants, behind):
        return any(not a["read_only"] for a in grants) and any(roles[r]["write"] for r in behind)

    bases = []
    if own:
        # Any counting role stands behind an own assignment; release is the
        # case manager's: an own assignment without access=read, or a role
        # with release = yes.
        release = any(not a["read_only"] for a in own) or any(roles[r]["release"] for r in counting)
        bases.append({"read": "assigned", "write": "assigned" if rw(own, counting) else None,
                      "release": "assigned" if release else None})
    if team:
        # Supervision never allows a release (step 6b).
        bases.append({"read": "supervisor", "write": "supervisor" if rw(team, supervising) else None,
                      "release": None})
    if every:
        writers = [r for r in every if roles[r]["write"]]
        releasers = [r for r in every if roles[r]["release"]]
        bases.append({"read": "role:" + every[0],
                      "write": "role:" + writers[0] if writers else None,
                      "release": "role:" + releasers[0] if releasers else None})
    if not bases:
        # Step 7: an assignment that ran out says so.
        if assignments(world, user, case, system):
            return "DENY reason=assignment-expired"
        return "DENY reason=no-business-reason"
    # Steps 6 and 6b: the first basis that allows the action is taken
    # (ntk.conf(5) DECISION); a basis that allows only reading refuses it.
    for b in bases:
        if b[action]:
            return "ALLOW rule=" + b[action]
    return "DENY reason=" + ("read-only" if action == "write" else "not-case-manager")


# --- NSS (libnss_ntk(8)) ------------------------------------------------------

def case_gid(case, gids):
    """The gid of ntk-case-CASE: numeric ids (no leading zero) inside the range, else None."""
    if not case.isdigit() or case.startswith("0"):
        return None
    gid = gids["case_gid_min"] + int(case)
    return gid if gid <= gids["case_gid_max"] else None


def listed_somewhere(world, role):
    """A role some system lists: without one it grants nothing anywhere."""
    return any(role in listed for _, listed in world["systems"])


def case_group(world, case):
    """Members of ntk-case-CASE: active holders with a role some system lists,
    and supervisors (a supervised role some system lists) above an active holder."""
    holders = {u for u in world["people"] if is_staff(world, u)
               and any(active(world, a) for a in assignments(world, u, case, None))}
    members = {u for u in holders
               if any(listed_somewhere(world, r) for r in held_roles(world, u))}
    for boss in world["people"]:
        if not is_staff(world, boss):
            continue
        if not any(world["roles"][r]["cases"] == "supervised" and listed_somewhere(world, r)
                   for r in held_roles(world, boss)):
            continue
        if holders & set(below(world, boss)):
            members.add(boss)
    return members


def initgroups(world, user, gids):
    """The ntk gids of user: systems it may log in to, roles, case groups."""
    if not is_staff(world, user):
        return set()
    out = set()
    mine = held_roles(world, user)
    for i, (name, listed) in enumerate(world["systems"]):
        if any(r in listed for r in mine):
            out.add(gids["system_gid_min"] + i)
    for i, r in enumerate(world["roles"]):
        if r in mine:
            out.add(gids["role_gid_min"] + i)
    for case in world["cases"]:
        if case_gid(case, gids) is not None and user in case_group(world, case):
            out.add(case_gid(case, gids))
    return out
