# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drive the differential test: generate worlds, load them, ask every path, compare.

Run by differential.sh, which starts slapd, PostgreSQL and MariaDB and
passes where they are in the environment. ntkd is started here, once per
loaded world (each world is a fresh subtree of the directory and its own
config), and stopped by its pid.

usage: ntk_diff.py SEED WORLDS PATH[,PATH...]
Exit 0: every answer agreed with the model; 1: a disagreement (seed, the
shrunk case and every path's answer printed); 2: the harness failed.
"""

import collections
import datetime
import os
import subprocess
import sys
import time

import diff_paths
import ntk_gen
import ntk_model as model

SHRINK_BUDGET = int(os.environ.get("NTK_DIFF_SHRINK_BUDGET", "150"))


def pick_offset(now_utc):
    """A UTC offset (hours) whose local date differs from UTC's, away from local midnight.

    until= is the last valid day in ntkd's local time zone: a path that used
    UTC's date, or the SQL server's, would then disagree on today's and
    yesterday's assignments. Two hours from midnight keeps the run stable.
    """
    best = None
    for off in range(20, -21, -1):  # POSIX TZ takes offsets up to 24 hours
        local = now_utc + datetime.timedelta(hours=off)
        if not 2 <= local.hour <= 21:
            continue
        if local.date() != now_utc.date():
            return off
        best = off if best is None else best
    return best if best is not None else 0


class Runner:
    def __init__(self, env, paths):
        self.env = env
        self.paths = paths
        self.loads = 0
        self.ntkd = None
        now = datetime.datetime.now(datetime.timezone.utc)
        # NTK_DIFF_TZ_OFFSET: hours east of UTC for ntkd, instead of one picked here.
        forced = os.environ.get("NTK_DIFF_TZ_OFFSET")
        self.offset = int(forced) if forced else pick_offset(now)
        # POSIX TZ: "NTK-13" is 13 hours east of UTC.
        self.tz = "NTK%+d" % (-self.offset) if self.offset else "UTC0"
        self.today = (now + datetime.timedelta(hours=self.offset)).date()
        self.pg = None
        if "pg" in paths:
            self.pg = diff_paths.PgSession(env["PSQL"], env["PG_PORT"], env["PG_DB"])
        # What pamtester said each time, for a denial to be read.
        self.pam_log = open(os.path.join(env["NTK_TMP"], "pamtester.log"), "a", encoding="utf-8")

    def stop_ntkd(self):
        if self.ntkd is None:
            return
        self.ntkd.terminate()
        try:
            self.ntkd.wait(10)
        except subprocess.TimeoutExpired:
            self.ntkd.kill()
            self.ntkd.wait()
        self.ntkd = None

    def load(self, world, paths=None):
        """Put world into slapd under a fresh tag, restart ntkd on it; the paths' context."""
        self.loads += 1
        tag = "t%d" % self.loads
        base = "ou=%s,%s" % (tag, self.env["SLAPD_BASE"])
        ldif = ntk_gen.to_ldif(world, base, tag)
        out = subprocess.run(["ldapadd", "-x", "-H", self.env["SLAPD_URI"], "-D",
                              self.env["SLAPD_ROOTDN"], "-w", self.env["SLAPD_ROOTPW"]],
                             input=ldif, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError("ldapadd: " + out.stderr.strip())
        tmp = self.env["NTK_TMP"]
        conf = os.path.join(tmp, "diff.conf")
        with open(conf, "w", encoding="ascii") as f:
            f.write(ntk_gen.to_conf(world, base, {
                "uri": self.env["SLAPD_URI"], "binddn": self.env["SLAPD_BINDDN"],
                "bindpw_file": os.path.join(tmp, "bindpw"), "socket": self.env["NTK_SOCKET"]}))
        self.stop_ntkd()
        if os.path.exists(self.env["NTK_SOCKET"]):
            os.unlink(self.env["NTK_SOCKET"])
        log = open(os.path.join(tmp, "ntkd.log"), "a", encoding="ascii")
        self.ntkd = subprocess.Popen([self.env["NTKD"], "-c", conf, "-f"], stdout=log,
                                     stderr=subprocess.STDOUT, env=dict(os.environ, TZ=self.tz))
        with open(os.path.join(tmp, "diff-ntkd.pid"), "w", encoding="ascii") as f:
            f.write("%d\n" % self.ntkd.pid)
        ctx = {"tag": tag, "socket": self.env["NTK_SOCKET"], "diff_check": self.env["DIFF_CHECK"],
               "pam_prefix": self.env.get("PAM_PREFIX"), "nss_so": self.env.get("NSS_SO"),
               "nsswitch": self.env.get("NSSWITCH"), "psql": self.env.get("PSQL"),
               "pg_port": self.env.get("PG_PORT"), "pg_db": self.env.get("PG_DB"),
               "mysql_sock": self.env.get("MYSQL_SOCK"), "mysql_port": self.env.get("MYSQL_PORT"),
               "pam_log": self.pam_log,
               "ntkctl": self.env["NTKCTL"], "conf": conf, "pg": self.pg}
        self.wait_ready(ctx, world)
        for name in paths or self.paths:
            prepare = diff_paths.PATHS[name][3]
            if prepare:
                prepare(ctx, world)
        return ctx

    def wait_ready(self, ctx, world):
        """ntkd answers, and from the directory (its start-up bind may still be under way)."""
        probe = [(next(iter(world["people"]), "x"), ntk_gen.SQL_SYSTEM, "login", "", "open")]
        for _ in range(300):
            if self.ntkd.poll() is not None:
                raise RuntimeError("ntkd exited %d (see ntkd.log)" % self.ntkd.returncode)
            if os.path.exists(ctx["socket"]):
                try:
                    got = diff_paths.check_run(ctx, world, probe)[probe[0]]
                    if got != "DENY reason=directory-unavailable":
                        return
                except RuntimeError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("ntkd did not answer from the directory within 30 s")

    def ask(self, ctx, world, name, keys):
        return diff_paths.PATHS[name][2](ctx, world, keys)


def disagreements(world, name, got):
    model_answer = diff_paths.PATHS[name][1]
    return [(name, k, model_answer(world, k), v) for k, v in got.items() if model_answer(world, k) != v]


# --- shrinking ------------------------------------------------------------------
def key_user(name, key):
    if name in ("check", "ntkctl", "pam", "pg", "mariadb"):
        return key[0]
    return key if name == "nss-initgroups" else None


def key_system(name, key):
    if name in ("check", "ntkctl", "pam"):
        return key[1]
    return ntk_gen.SQL_SYSTEM if name in ("pg", "mariadb") else None


def copy_world(w):
    c = dict(w)
    c["roles"] = {r: dict(d) for r, d in w["roles"].items()}
    c["systems"] = [(s, list(l)) for s, l in w["systems"]]
    c["nest"] = {g: set(i) for g, i in w.get("nest", {}).items()}
    c["people"] = {u: {"roles": list(p["roles"]), "manager": p["manager"], "disabled": p["disabled"],
                       "assign": list(p["assign"])} for u, p in w["people"].items()}
    return c


def candidates(w, name, key):
    """Smaller worlds: fewer staff, values, systems, roles, flags."""
    keep = key_user(name, key)
    others = [u for u in w["people"] if u != keep]
    size = len(others) // 2
    while size >= 1:
        for i in range(0, len(others), size):
            c = copy_world(w)
            for u in others[i:i + size]:
                del c["people"][u]
            yield c
        size //= 2
    for u, p in w["people"].items():
        for field in ("roles", "assign"):
            for i in range(len(p[field])):
                c = copy_world(w)
                del c["people"][u][field][i]
                yield c
        if p["manager"] is not None:
            c = copy_world(w)
            c["people"][u]["manager"] = None
            yield c
        if p["disabled"]:
            c = copy_world(w)
            c["people"][u]["disabled"] = False
            yield c
    for i, (s, _) in enumerate(w["systems"]):
        if s not in (key_system(name, key), ntk_gen.SQL_SYSTEM):
            c = copy_world(w)
            del c["systems"][i]
            yield c
    for r in list(w["roles"]):
        c = copy_world(w)
        del c["roles"][r]
        c["systems"] = [(s, [x for x in l if x != r]) for s, l in c["systems"]]
        if all(l for _, l in c["systems"]):
            yield c
        for flag in ("write", "closed", "sealed", "release"):
            if w["roles"][r][flag]:
                c = copy_world(w)
                c["roles"][r][flag] = False
                yield c
    for g, inners in w.get("nest", {}).items():
        for i in inners:
            c = copy_world(w)
            c["nest"][g].discard(i)
            yield c
    if w["depth"] > 1:
        c = copy_world(w)
        c["depth"] = 1
        yield c


def shrink(runner, world, name, key):
    """Greedy: take any smaller world that still disagrees the same way (the same
    model and path answers), until none does or the budget ends."""
    model_answer = diff_paths.PATHS[name][1]
    ctx = runner.load(world, [name])
    want = (model_answer(world, key), runner.ask(ctx, world, name, [key])[key])
    budget = SHRINK_BUDGET
    progress = True
    while progress and budget > 0:
        progress = False
        for c in candidates(world, name, key):
            if budget <= 0:
                break
            budget -= 1
            ctx = runner.load(c, [name])
            if (model_answer(c, key), runner.ask(ctx, c, name, [key])[key]) == want:
                world, progress = c, True
                break
    return world


def describe(world):
    lines = ["today=%s supervision_depth=%d role_source=%s group_nesting=%d" % (
        world["today"], world["depth"], world["role_source"], world.get("nesting", 0))]
    for g, inners in sorted(world.get("nest", {}).items()):
        lines.append("group %s holds groups %s" % (g, " ".join(sorted(inners)) or "-"))
    for s, l in world["systems"]:
        lines.append("[system:%s] roles = %s" % (s, " ".join(l)))
    for r, d in world["roles"].items():
        flags = " ".join("%s=%s" % (k, "yes" if d[k] else "no") for k in ("write", "closed", "sealed", "release"))
        lines.append("[role:%s] cases=%s %s" % (r, d["cases"], flags))
    for u, p in world["people"].items():
        lines.append("%s: roles=%s manager=%s%s assignments=%s" % (
            u, ",".join(p["roles"]) or "-", p["manager"] or "-", " DISABLED" if p["disabled"] else "",
            " | ".join(p["assign"]) or "-"))
    return "\n".join("    " + x for x in lines)


def key_case(name, key):
    if name in ("check", "ntkctl"):
        return key[3] or None
    if name in ("pg", "mariadb"):
        return key[1]
    return key if name == "nss-case" else None


def related(world, name, key):
    """Every path's questions about the disagreeing user and case (same system for check)."""
    user, case = key_user(name, key), key_case(name, key)
    out = {}
    for p, (keys, _, _, _, _) in diff_paths.PATHS.items():
        if p == "ntkctl":  # the same questions as check, one process each
            continue
        if p == "pam":  # sampled in a full run: ask the user's logins here
            out[p] = [(user, s) for s, _ in world["systems"]] if user else []
            continue
        out[p] = [k for k in keys(world)
                  if user in (None, key_user(p, k)) or key_user(p, k) is None
                  if case in (None, key_case(p, k)) or key_case(p, k) is None
                  if not (p == name == "check" and k[1] != key[1])]
    return out


def main():
    seed, worlds, paths = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
    env = os.environ
    runner = Runner(env, paths)
    total, started = 0, time.monotonic()
    seen = collections.Counter()  # the answers compared, so a run shows what it covered
    print("ntk_diff: seed %d, %d worlds, paths %s, ntkd TZ=%s (today %s, UTC %s)" % (
        seed, worlds, ",".join(paths), runner.tz, runner.today,
        datetime.datetime.now(datetime.timezone.utc).date()), flush=True)
    try:
        for i in range(worlds):
            wseed = seed + i
            world = ntk_gen.gen_world(wseed, runner.today)
            ctx = runner.load(world)
            found = []
            for name in paths:
                keys = diff_paths.PATHS[name][0](world)
                got = runner.ask(ctx, world, name, keys)
                total += len(keys)
                found += disagreements(world, name, got)
                for v in got.values():
                    seen[(name, v if name in ("check", "ntkctl", "pam", "pg", "mariadb") else
                          "non-empty" if v else "empty")] += 1
            if found:
                report(runner, world, wseed, found)
                return 1
        print("ntk_diff: %d comparisons, all agree with the model, in %.1f s" % (
            total, time.monotonic() - started))
        for (name, v), n in sorted(seen.items()):
            print("  %-15s %-40s %d" % (name, v, n))
        # Agreement means little if a path only ever said one thing.
        for name in paths:
            kinds = {v.split(" ")[0] for (p, v), _ in seen.items() if p == name}
            if len(kinds) < 2:
                raise RuntimeError("path %s gave only %s answers: too few worlds to judge it"
                                   % (name, "/".join(kinds) or "no"))
        return 0
    finally:
        runner.stop_ntkd()
        if runner.pg is not None:
            runner.pg.close()


def report(runner, world, wseed, found):
    print("FAIL: %d disagreements with the model in world seed %d (rerun: NTK_DIFF_SEED=%d NTK_DIFF_WORLDS=1)"
          % (len(found), wseed, wseed))
    by_path = {}
    for f in found:
        by_path.setdefault(f[0], []).append(f)
    for name, fs in by_path.items():
        print("  %s: %d, e.g." % (name, len(fs)))
        for _, k, m, v in fs[:5]:
            print("    %s: model [%s] path [%s]" % (k, m, v))
    for name, fs in by_path.items():
        _, key, _, _ = fs[0]
        small = shrink(runner, world, name, key)
        print("shrunk (%s %s) after %d loads; world:" % (name, key, runner.loads))
        print(describe(small))
        ctx = runner.load(small)
        lines = []
        for p, keys in related(small, name, key).items():
            got = runner.ask(ctx, small, p, keys) if keys else {}
            for k in keys:
                m = diff_paths.PATHS[p][1](small, k)
                lines.append((m == got[k], "  %s %-15s %s: model [%s] path [%s]" % (
                    "  " if m == got[k] else "!!", p, k, m, got[k])))
        # Disagreements (!!) first, then agreeing answers: 40 lines at most.
        bad = [t for ok, t in lines if not ok]
        good = [t for ok, t in lines if ok]
        shown = bad[:30] + good[:max(0, 40 - len(bad[:30]))]
        print("\n".join(shown))
        if len(lines) > len(shown):
            print("  ... and %d more answers (%d of them disagree)" % (
                len(lines) - len(shown), len(bad) - len(bad[:30])))
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print("ntk_diff: harness error: %s" % e, file=sys.stderr)
        sys.exit(2)
