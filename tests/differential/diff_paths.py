# SPDX-License-Identifier: LGPL-2.1-or-later
"""The enforcement paths the differential test asks, each a small adapter.

Every path has keys (the questions it can answer about a world), the
model's answer to a key, and run(ctx, world, keys) -> {key: answer} asking
the real component. Answers are strings so they print and compare alike.
The SQL adapters use only the public SQL surface (ntk_pg(7), ntk_udf(7)):
keep them small, so a change of the view's shape is a change here only.
"""

import os
import random
import subprocess

import ntk_gen
import ntk_model as model

FACTS = ntk_gen.SQL_SYSTEM


def real(ctx, uid):
    """The name a world's person has in the loaded directory and the SQL servers."""
    return ctx["tag"] + uid


def base_name(ctx, name):
    return name[len(ctx["tag"]):] if name.startswith(ctx["tag"]) else "?" + name


def verdict_kind(v):
    return "ALLOW" if v.startswith("ALLOW") else "DENY"


def numeric(case):
    return case.isdigit() and not case.startswith("0")


# --- ntkd's CHECK (what ntkctl check and decide answer), many per connection ---
def check_keys(world):
    return ntk_gen.queries(world)


def check_model(world, k):
    u, s, a, c, st = k
    return model.decide(world, u, s, a, c or None, st)


def check_run(ctx, world, keys):
    lines = "".join("%s\t%s\t%s\t%s\t%s\n" % (real(ctx, u), s, a, c, st) for u, s, a, c, st in keys)
    out = subprocess.run([ctx["diff_check"], ctx["socket"]], input=lines, capture_output=True,
                         text=True, check=False, timeout=600)
    got = out.stdout.splitlines()
    if out.returncode != 0 or len(got) != len(keys):
        raise RuntimeError("diff_check failed (exit %d): %s" % (out.returncode, out.stderr.strip()))
    return dict(zip(keys, got))


# --- ntkctl check itself, one process per question (sampled) ---
def ntkctl_keys(world):
    rng = random.Random(world["seed"] * 7 + 2)
    keys = check_keys(world)
    return rng.sample(keys, min(len(keys), int(os.environ.get("NTK_DIFF_NTKCTL_SAMPLE", "20"))))


def ntkctl_run(ctx, world, keys):
    res = {}
    for u, s, a, c, st in keys:
        argv = [ctx["ntkctl"], "-c", ctx["conf"], "check", "--user", real(ctx, u), "--system", s,
                "--action", a, "--state", st] + (["--case", c] if c else [])
        out = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
        line = (out.stdout + out.stderr).strip()
        # The exit status is part of the answer: 0 allow, 1 deny.
        want = 0 if line.startswith("ALLOW") else 1
        res[(u, s, a, c, st)] = line if out.returncode == want else "exit %d: %s" % (out.returncode, line)
    return res


# --- pam_ntk's account stage through pamtester (one process each: sampled) ---
def pam_keys(world):
    users = list(world["people"]) + ["nobody99"]
    systems = [s for s, _ in world["systems"]] + ["NOSUCH"]
    pairs = [(u, s) for u in users for s in systems]
    rng = random.Random(world["seed"] * 7 + 1)
    return rng.sample(pairs, min(len(pairs), ctx_pam_sample()))


def ctx_pam_sample():
    return int(os.environ.get("NTK_DIFF_PAM_SAMPLE", "12"))


def pam_model(world, k):
    return verdict_kind(model.decide(world, k[0], k[1], "login"))


def pam_run(ctx, world, keys):
    res = {}
    for u, s in keys:
        svc = "%s%s" % (ctx["pam_prefix"], s.lower())
        out = subprocess.run(["pamtester", svc, real(ctx, u), "acct_mgmt"], capture_output=True,
                             text=True, check=False, timeout=60)
        res[(u, s)] = "ALLOW" if out.returncode == 0 else "DENY"
        ctx["pam_log"].write("%s %s: exit %d %s\n" % (svc, real(ctx, u), out.returncode,
                                                      (out.stdout + out.stderr).strip()))
    return res


# --- libnss_ntk through glibc: getent in a private mount namespace ---
def _nss_script(ctx, cmds):
    """Run getent commands under the real NSS with ntk on the group line; one namespace."""
    script = "".join("echo '@@ %s'; getent %s || true\n" % (c, c) for c in cmds)
    inner = 'mount --bind "$0" /etc/nsswitch.conf && exec sh -c "$1"'
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(ctx["nss_so"]), NTK_SOCKET=ctx["socket"])
    out = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", inner,
                          ctx["nsswitch"], script], capture_output=True, text=True, env=env,
                         check=False, timeout=600)
    blocks, cur = {}, None
    for line in out.stdout.splitlines():
        if line.startswith("@@ "):
            cur = line[3:]
            blocks[cur] = []
        elif cur is not None:
            blocks[cur].append(line)
    if len(blocks) != len(cmds):
        raise RuntimeError("getent in a mount namespace failed: " + out.stderr.strip())
    return blocks


def nss_case_keys(world):
    return [c for c in world["cases"] if numeric(c)]


def nss_case_model(world, c):
    if model.case_gid(c, ntk_gen.GIDS) is None:
        return "NOTFOUND"
    return ",".join(sorted(model.case_group(world, c)))


def nss_case_run(ctx, world, keys):
    blocks = _nss_script(ctx, ["group ntk-case-" + c for c in keys])
    res = {}
    for c in keys:
        lines = blocks["group ntk-case-" + c]
        if len(lines) != 1:
            res[c] = "NOTFOUND"
            continue
        members = [m for m in lines[0].split(":")[3].split(",") if m]
        res[c] = ",".join(sorted(base_name(ctx, m) for m in members))
    return res


def nss_init_keys(world):
    return list(world["people"]) + ["nobody99"]


def nss_init_model(world, u):
    return " ".join(str(g) for g in sorted(model.initgroups(world, u, ntk_gen.GIDS)))


def nss_init_run(ctx, world, keys):
    blocks = _nss_script(ctx, ["initgroups " + real(ctx, u) for u in keys])
    res = {}
    for u in keys:
        words = " ".join(blocks["initgroups " + real(ctx, u)]).split()[1:]
        # Only the ntk ranges: the files source may add groups of its own.
        res[u] = " ".join(str(g) for g in sorted({int(w) for w in words if 190000 <= int(w) <= 299999}))
    return res


# --- PostgreSQL: a protected table's rows under SET ROLE (ntk_pg(7)) ---
def sql_keys(world, actions):
    return [(u, c, st, a) for u in world["people"] for c in world["cases"]
            for st in ntk_gen.STATES for a in actions]


def sql_model(world, k):
    u, c, st, a = k
    return verdict_kind(model.decide(world, u, FACTS, a, c, st))


def pg_keys(world):
    return sql_keys(world, ("read", "write"))


class PgSession:
    """One psql, and so one backend, for the whole run.

    The backend loads ntk.so once, when the session starts, and keeps it: a
    test of another run that restores the system's pkglibdir meanwhile (the
    extension has to be installed there) changes nothing under us.
    """
    MARK = "@@ntk-diff-end@@"

    def __init__(self, psql, port, db):
        self.proc = subprocess.Popen(
            [psql, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port,
             "-U", "postgres", "-d", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.run("LOAD '$libdir/ntk'; SET ntk.cache_seconds = 0;")

    def run(self, sql):
        """Lines the statements printed; an error ends psql (ON_ERROR_STOP) and raises."""
        self.proc.stdin.write(sql + "\nSELECT '%s';\n" % self.MARK)
        self.proc.stdin.flush()
        out = []
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line == self.MARK:
                return out
            out.append(line)
        raise RuntimeError("psql: " + self.proc.stderr.read().strip())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def _psql(ctx, sql):
    if ctx.get("pg") is None:
        raise RuntimeError("no PostgreSQL session")
    return ctx["pg"].run(sql)


def pg_prepare(ctx, world):
    """One role per person of this load, allowed to read and update the table."""
    sql = "".join("CREATE ROLE %s; GRANT SELECT, UPDATE ON diff_rows TO %s;\n"
                  % (real(ctx, u), real(ctx, u)) for u in world["people"])
    _psql(ctx, sql)


def pg_run(ctx, world, keys):
    users = sorted({k[0] for k in keys})
    sql = []
    for u in users:
        sql += ["SET ROLE %s;" % real(ctx, u),
                "SELECT '%s read ' || case_id || ' ' || state FROM diff_rows;" % u,
                # Rows an UPDATE reaches: write access (RETURNING also needs read).
                "BEGIN;",
                "UPDATE diff_rows SET note = note RETURNING '%s write ' || case_id || ' ' || state;" % u,
                "ROLLBACK;", "RESET ROLE;"]
    seen = set(tuple(line.split(" ")) for line in _psql(ctx, "\n".join(sql)) if line)
    return {k: "ALLOW" if (k[0], k[3], k[1], k[2]) in seen else "DENY" for k in keys}


# --- MariaDB: the secure view's rows (ntk_udf(7), secure_view_example.sql) ---
def maria_keys(world):
    return sql_keys(world, ("read",))


def _mariadb_root(ctx, sql):
    out = subprocess.run(["mariadb", "--no-defaults", "-S", ctx["mysql_sock"], "-u", "root", "-N",
                          "-B"], input=sql, capture_output=True, text=True, check=False, timeout=600)
    if out.returncode != 0:
        raise RuntimeError("mariadb: " + out.stderr.strip())
    return out.stdout


def maria_prepare(ctx, world):
    sql = "".join("CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY 'pw'; "
                  "GRANT SELECT ON casedata.clients TO '%s'@'127.0.0.1';\n"
                  % (real(ctx, u), real(ctx, u)) for u in world["people"])
    _mariadb_root(ctx, sql)


def maria_run(ctx, world, keys):
    res = {}
    for u in sorted({k[0] for k in keys}):
        out = subprocess.run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", ctx["mysql_port"],
                              "-u", real(ctx, u), "-ppw", "-N", "-B", "-e",
                              "SELECT case_id, state FROM casedata.clients"],
                             capture_output=True, text=True, check=False, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("mariadb as %s: %s" % (real(ctx, u), out.stderr.strip()))
        seen = {tuple(line.split("\t")) for line in out.stdout.splitlines() if line}
        for k in keys:
            if k[0] == u:
                res[k] = "ALLOW" if (k[1], k[2]) in seen else "DENY"
    return res


# name: (keys, model answer, run, prepare per load or None, needs in ctx)
PATHS = {
    "check": (check_keys, check_model, check_run, None, "diff_check"),
    "ntkctl": (ntkctl_keys, check_model, ntkctl_run, None, "ntkctl"),
    "pam": (pam_keys, pam_model, pam_run, None, "pam_prefix"),
    "nss-case": (nss_case_keys, nss_case_model, nss_case_run, None, "nss_so"),
    "nss-initgroups": (nss_init_keys, nss_init_model, nss_init_run, None, "nss_so"),
    "pg": (pg_keys, sql_model, pg_run, pg_prepare, "pg_port"),
    "mariadb": (maria_keys, sql_model, maria_run, maria_prepare, "mysql_sock"),
}
