#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkd's LDAP layer (daemon/directory.c) against a private slapd, through dirtool:
# subjects, supervision, case people, role members, injection, round trips,
# failover, reconnect, a stopped and a hung server, role groups, and valgrind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

DIRTOOL=${DIRTOOL:-$top_builddir/tests/directory/dirtool}
[ -x "$DIRTOOL" ] || ntk_fail "dirtool not built: $DIRTOOL"
here=$top_srcdir/tests/directory

ntk_tmpdir
# A wide tree for the batching paths: boss -> 250 leads -> one worker each, all on case 2000.
{
	printf 'dn: ou=wide,dc=agency,dc=example\nobjectClass: organizationalUnit\nou: wide\n\n'
	printf 'dn: uid=boss,ou=wide,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: boss\ncn: boss\nsn: boss\nntkRole: supervisor\n\n'
	for ((i = 0; i < 250; i++)); do
		printf 'dn: uid=lead%03d,ou=wide,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: lead%03d\ncn: l\nsn: l\nntkRole: supervisor\nmanager: uid=boss,ou=wide,dc=agency,dc=example\n\n' "$i" "$i"
		printf 'dn: uid=work%03d,ou=wide,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: work%03d\ncn: w\nsn: w\nntkRole: social_worker\nntkCaseAssignment: 2000;until=2099-01-01\nmanager: uid=lead%03d,ou=wide,dc=agency,dc=example\n\n' "$i" "$i" "$i"
	done
} >"$NTK_TMP/wide.ldif"
slapd_start 29050 29059 "$here/role-groups.ldif" "$here/ambiguous.ldif" "$here/chain.ldif" "$here/staff.ldif" "$NTK_TMP/wide.ldif"
NTK_TEST_LDAP_TIMEOUT=2 ntkd_write_conf
CONF=$NTK_TMP/ntk-plain.conf
cp "$NTK_CONF" "$CONF"
S=$SLAPD_URI

# dt CONF ARGS...: run dirtool, stderr (the log) appended to dirtool.log; sets OUT and RC.
dt() {
	set +e
	OUT=$("$DIRTOOL" "$@" 2>>"$NTK_TMP/dirtool.log")
	RC=$?
	set -e
}

# expect WHAT EXPECTED CONF ARGS...: dirtool prints exactly EXPECTED and exits 0.
expect() {
	local what=$1 want=$2
	shift 2
	dt "$@"
	[ "$OUT" = "$want" ] || ntk_fail "$what: expected
$want
--- got
$OUT"
	[ "$RC" = 0 ] || ntk_fail "$what: exit status $RC"
}

# --- subjects ---------------------------------------------------------------
expect "alice: roles and two assignments; bind + 1 search" "subject alice
found yes
name alice
role social_worker
assignment 1001
assignment 1002;until=2099-12-31
round_trips 2
server $S" "$CONF" subject alice

expect "carol: supervises alice and bob at depth 1; bind + 1 + 2 levels" "subject carol
found yes
name carol
role supervisor
supervised 1 alice 1001
supervised 1 alice 1002;until=2099-12-31
supervised 1 bob 1003
supervised 1 bob 1004;until=2020-12-31
round_trips 4
server $S" "$CONF" subject carol

expect "dave: alice and bob at depth 2 through carol" "subject dave
found yes
name dave
role supervisor
supervised 2 alice 1001
supervised 2 alice 1002;until=2099-12-31
supervised 2 bob 1003
supervised 2 bob 1004;until=2020-12-31
round_trips 4
server $S" "$CONF" subject dave

: >"$NTK_TMP/dirtool.log"
expect "heidi: malformed values skipped, 1005 kept" "subject heidi
found yes
name heidi
role social_worker
assignment 1005;system=FACTS
round_trips 2
server $S" "$CONF" subject heidi
log=$(cat "$NTK_TMP/dirtool.log")
ntk_assert_contains "$log" 'malformed value "10 06" ignored' "heidi's bad case id is logged"
ntk_assert_contains "$log" 'malformed value "1007;shared=yes" ignored' "heidi's unknown parameter is logged"

# mallory manages trent, but her role is not supervised: no supervision search.
expect "mallory: social_worker supervises nobody" "subject mallory
found yes
name mallory
role social_worker
round_trips 2
server $S" "$CONF" subject mallory

for u in nobody '*' ')(uid=*' 'alice*' 'alice)(uid=bob' '\2a' "$(printf 'al\001ice')"; do
	expect "unknown or injected user [$u] is not found" "subject $u
found no
name $u
round_trips 2
server $S" "$CONF" subject "$u"
done

: >"$NTK_TMP/dirtool.log"
expect "a name matching two entries is not found" "subject twin
found no
name twin
round_trips 2
server $S" "$CONF" subject twin
ntk_assert_contains "$(cat "$NTK_TMP/dirtool.log")" 'user "twin" matches more than one entry' "ambiguity logged"

expect "one connection for several calls" "subject alice
found yes
name alice
role social_worker
assignment 1001
assignment 1002;until=2099-12-31
round_trips 2
server $S
subject bob
found yes
name bob
role social_worker
assignment 1003
assignment 1004;until=2020-12-31
round_trips 3
server $S" "$CONF" subject alice subject bob

# A manager cycle: each sees the other once, never himself, and the walk ends.
expect "cycle: cy1 supervises cy2 only" "subject cy1
found yes
name cy1
role supervisor
assignment 3001
supervised 1 cy2 3002
round_trips 4
server $S" "$CONF" subject cy1

expect "sam supervises kim" "subject sam
found yes
name sam
role supervisor
assignment 3000;until=2020-01-01
supervised 1 kim 3000
round_trips 4
server $S" "$CONF" subject sam

# --- case people and role members ------------------------------------------
P=ou=people,dc=agency,dc=example
expect "case 1001: holders alice and grace, carol above at 1, dave at 2" "case 1001
holder alice depth=0 roles=social_worker dn=uid=alice,$P assignments: 1001
holder grace depth=0 roles=release dn=uid=grace,$P assignments: 1001;until=2099-06-30;access=read
supervisor carol depth=1 roles=supervisor dn=uid=carol,$P assignments=0
supervisor dave depth=2 roles=supervisor dn=uid=dave,$P assignments=0
round_trips 4
server $S" "$CONF" case 1001

expect "case 1003: two chains, one round trip per level" "case 1003
holder bob depth=0 roles=social_worker dn=uid=bob,$P assignments: 1003
holder trent depth=0 roles=social_worker dn=uid=trent,$P assignments: 1003
supervisor carol depth=1 roles=supervisor dn=uid=carol,$P assignments=0
supervisor dave depth=2 roles=supervisor dn=uid=dave,$P assignments=0
supervisor mallory depth=1 roles=social_worker dn=uid=mallory,$P assignments=0
round_trips 4
server $S" "$CONF" case 1003

C=ou=chain,dc=agency,dc=example
expect "case 3000: sam holds it (expired) and is listed above kim too" "case 3000
holder kim depth=0 roles=social_worker dn=uid=kim,$C assignments: 3000
holder sam depth=0 roles=supervisor dn=uid=sam,$C assignments: 3000;until=2020-01-01
supervisor pat depth=1 roles=supervisor dn=uid=pat,$C assignments=0
supervisor sam depth=1 roles=supervisor dn=uid=sam,$C assignments=0
round_trips 3
server $S" "$CONF" case 3000

# heidi's "1007;shared=yes" matches the filter but is malformed: she holds nothing.
expect "case 1007: a malformed value makes no holder" "case 1007
round_trips 2
server $S" "$CONF" case 1007

expect "case ids that cannot be valid are held by nobody, without a search" "case 100*
round_trips 0
server none" "$CONF" case '100*'

expect "role legal: erin and twin's two entries" "role legal
member erin
member twin
round_trips 2
server $S" "$CONF" role legal

dt "$CONF" role supervisor
ntk_assert_eq 0 "$RC" "role supervisor: exit status"
ntk_assert_eq "role supervisor
member boss
member carol
member cy1
member cy2
member dave
member pat
member sam
member sv1
round_trips 2" "$(printf '%s\n' "$OUT" | grep -v '^member lead' | sed '$d')" "role supervisor"
ntk_assert_eq 250 "$(printf '%s\n' "$OUT" | grep -c '^member lead')" "role supervisor: the 250 leads"

# boss: 250 workers at depth 2, found with two (|(manager=...)) filters sent as one batch.
dt "$CONF" subject boss
ntk_assert_eq 0 "$RC" "boss: exit status"
ntk_assert_eq 250 "$(printf '%s\n' "$OUT" | grep -c '^supervised 2 work[0-9]* 2000;until=2099-01-01$')" "boss supervises 250 workers at depth 2"
ntk_assert_eq 250 "$(printf '%s\n' "$OUT" | grep -c '^supervised ')" "boss: nothing else supervised"
ntk_assert_contains "$OUT" "round_trips 4" "boss: bind + user + one batch per level"

# case 2000: 250 holders; their 250 leads are base searches, 64 per batch.
dt "$CONF" case 2000
ntk_assert_eq 0 "$RC" "case 2000: exit status"
ntk_assert_eq 250 "$(printf '%s\n' "$OUT" | grep -c '^holder work')" "case 2000: 250 holders"
ntk_assert_eq 250 "$(printf '%s\n' "$OUT" | grep -c '^supervisor lead[0-9]* depth=1 roles=supervisor ')" "case 2000: 250 leads at depth 1"
ntk_assert_eq 1 "$(printf '%s\n' "$OUT" | grep -c '^supervisor boss depth=2 ')" "case 2000: boss at depth 2"
ntk_assert_contains "$OUT" "round_trips 7" "case 2000: bind + holders + 4 batches + 1"

expect "a wildcard role matches nothing" "role *
round_trips 2
server $S" "$CONF" role '*'

# --- names that only look alike (LDAP matching ignores case and spaces) -------
for u in ALICE Alice ' alice' 'alice ' "$(printf 'alice\302\240')"; do
	: >"$NTK_TMP/dirtool.log"
	expect "look-alike [$u] is not alice" "subject $u
found no
name $u
round_trips 2
server $S" "$CONF" subject "$u"
	ntk_assert_contains "$(cat "$NTK_TMP/dirtool.log")" \
		'matches an entry whose uid is not exactly that name: treated as unknown' "look-alike [$u] logged"
done
expect "name_attribute is read from the config" "subject alice
found no
name alice
round_trips 2
server $S" "$(sed '/^\[ldap\]/a name_attribute = cn' "$CONF" >"$NTK_TMP/ntk-cn.conf"; echo "$NTK_TMP/ntk-cn.conf")" subject alice

# --- staff_filter and base: who counts as a subordinate, holder, supervisor, member ---
ST=ou=staff,dc=agency,dc=example
# sub1 (an account, not an inetOrgPerson) holds 4001 under sv1 too: not staff, not counted.
expect "sv1 supervises sub2, not the non-staff sub1" "subject sv1
found yes
name sv1
role supervisor
supervised 1 sub2 4001
round_trips 4
server $S" "$CONF" subject sv1
expect "case 4001: sub2 holds it, sub1 is not staff" "case 4001
holder sub2 depth=0 roles=social_worker dn=uid=sub2,$ST assignments: 4001
supervisor sv1 depth=1 roles=supervisor dn=uid=sv1,$ST assignments=0
round_trips 3
server $S" "$CONF" case 4001
SCONF=$NTK_TMP/ntk-staff.conf
sed '/^\[ldap\]/a staff_filter = (&(objectClass=inetOrgPerson)(!(description=disabled)))' "$CONF" >"$SCONF"
expect "staff_filter excluding disabled: sv1 supervises nobody" "subject sv1
found yes
name sv1
role supervisor
round_trips 3
server $S" "$SCONF" subject sv1
expect "staff_filter excluding disabled: nobody holds 4001" "case 4001
round_trips 2
server $S" "$SCONF" case 4001
dt "$SCONF" role social_worker
ntk_assert_eq 0 "$RC" "role social_worker: exit status"
ntk_assert_eq "member alice
member bob
member heidi
member hold2
member kim
member mallory
member trent" "$(printf '%s\n' "$OUT" | grep '^member' | grep -v '^member work')" \
	"staff_filter excluding disabled: sub2 is no social_worker member"
dt "$CONF" role social_worker
ntk_assert_contains "$OUT" "member sub2" "sub2 is a social_worker member with the default staff_filter"

# hold2's manager is mgr2 (ou=people): listed with base at the top, not with base = ou=staff.
expect "case 4002: mgr2 above hold2" "case 4002
holder hold2 depth=0 roles=social_worker dn=uid=hold2,$ST assignments: 4002
supervisor mgr2 depth=1 roles= dn=uid=mgr2,$P assignments=0
round_trips 3
server $S" "$CONF" case 4002
BCONF=$NTK_TMP/ntk-base.conf
sed "s|^base = .*|base = $ST|" "$CONF" >"$BCONF"
: >"$NTK_TMP/dirtool.log"
expect "case 4002 with base $ST: a manager outside base is not listed" "case 4002
holder hold2 depth=0 roles=social_worker dn=uid=hold2,$ST assignments: 4002
round_trips 2
server $S" "$BCONF" case 4002
ntk_assert_contains "$(cat "$NTK_TMP/dirtool.log")" "names uid=mgr2,$P, outside base: not followed" \
	"a manager outside base is logged"

# --- log injection: a DN with a newline cannot start a line of its own ----------
set +e
"$DIRTOOL" "$CONF" case 4003 >"$NTK_TMP/forge.out" 2>"$NTK_TMP/forge.log"
rc=$?
set -e
ntk_assert_eq 0 "$rc" "case 4003: exit status"
ntk_assert_contains "$(cat "$NTK_TMP/forge.log")" 'malformed value "4003;bogus=1" ignored' \
	"the entry with the forged DN was logged"
if grep -q '^ntkd\[error\]: FORGED' "$NTK_TMP/forge.log"; then
	ntk_fail "a DN forged a log line: $(cat "$NTK_TMP/forge.log")"
fi
ntk_assert_contains "$(cat "$NTK_TMP/forge.log")" 'x?ntkd[error]: FORGED LINE' "the newline is shown as ?"

# --- role_source = group -----------------------------------------------------
GCONF=$NTK_TMP/ntk-group.conf
sed '/^\[ldap\]/a role_source = group' "$CONF" >"$GCONF"

expect "group roles: grace is legal by group, not release" "subject grace
found yes
name grace
role legal
assignment 1001;until=2099-06-30;access=read
assignment 1002;until=2020-01-31;access=read
round_trips 3
server $S" "$GCONF" subject grace

expect "group roles: carol supervises; bind + user + groups + 2 levels" "subject carol
found yes
name carol
role supervisor
supervised 1 alice 1001
supervised 1 alice 1002;until=2099-12-31
supervised 1 bob 1003
supervised 1 bob 1004;until=2020-12-31
round_trips 5
server $S" "$GCONF" subject carol

expect "group roles: dave is in no group, so supervises nobody" "subject dave
found yes
name dave
round_trips 3
server $S" "$GCONF" subject dave

expect "group roles: case people get their group roles" "case 1001
holder alice depth=0 roles=social_worker dn=uid=alice,$P assignments: 1001
holder grace depth=0 roles=legal dn=uid=grace,$P assignments: 1001;until=2099-06-30;access=read
supervisor carol depth=1 roles=supervisor dn=uid=carol,$P assignments=0
supervisor dave depth=2 roles= dn=uid=dave,$P assignments=0
round_trips 7
server $S" "$GCONF" case 1001

expect "group roles: members resolved from member DNs (a dangling one skipped)" "role social_worker
member alice
member bob
round_trips 3
server $S" "$GCONF" role social_worker

expect "group roles: legal" "role legal
member erin
member grace
round_trips 3
server $S" "$GCONF" role legal

# --- valgrind -----------------------------------------------------------------
if [ "${NTK_SANITIZERS:-0}" = 1 ]; then
	ntk_log "sanitizer build: valgrind run left out"
elif ! command -v valgrind >/dev/null 2>&1; then
	ntk_skip "valgrind not installed"
else
	set +e
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
		"$DIRTOOL" "$GCONF" subject carol case 1001 role social_worker subject '*' \
		>"$NTK_TMP/vg.out" 2>"$NTK_TMP/vg.log"
	rc=$?
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
		"$DIRTOOL" "$CONF" subject dave case 1003 role legal subject heidi subject twin \
		>>"$NTK_TMP/vg.out" 2>>"$NTK_TMP/vg.log"
	rc2=$?
	set -e
	[ "$rc" = 0 ] && [ "$rc2" = 0 ] || ntk_fail "valgrind found errors or leaks: $(cat "$NTK_TMP/vg.log")"
	ntk_assert_contains "$(cat "$NTK_TMP/vg.out")" "supervised 1 alice 1001" "valgrind run did the work"
	ntk_log "valgrind: no errors and no definite leaks"
fi

# --- failover and reconnect --------------------------------------------------
closed=$(ntk_free_port 29050 29059)
NTK_TEST_LDAP_TIMEOUT=2 ntkd_write_conf "ldap://127.0.0.1:$closed/ $S"
FCONF=$NTK_TMP/ntk-failover.conf
cp "$NTK_CONF" "$FCONF"
dt "$FCONF" subject alice
[ "$RC" = 0 ] || ntk_fail "failover: exit status $RC"
ntk_assert_contains "$OUT" "found yes" "failover: alice found through the second URI"
ntk_assert_contains "$OUT" "server $S" "failover: the second URI is reported"

# wait_line FILE LINE [COUNT]: until dirtool has printed LINE (COUNT times; it then waits for its go file).
lines_at_least() { [ "$(grep -cx "$2" "$1")" -ge "$3" ]; }
wait_line() {
	ntk_wait_for 30 lines_at_least "$1" "$2" "${3:-1}" ||
		ntk_fail "dirtool never printed $2: $(cat "$1")"
}

# Failback: the first URI comes up; the handle stays on the second for
# NTKD_LDAP_FAILBACK_SECS (30 s), then goes back to the first.
if [ "${NTK_TEST_QUICK:-0}" != 1 ]; then
	cp -r "$SLAPD_DIR" "$NTK_TMP/slapd2"
	rm -f "$NTK_TMP/slapd2/slapd.pid"
	sed -i "s|$SLAPD_DIR|$NTK_TMP/slapd2|g" "$NTK_TMP/slapd2/slapd.conf"
	"$DIRTOOL" "$FCONF" subject alice waitfile "$NTK_TMP/go3" subject alice waitfile "$NTK_TMP/go4" \
		subject alice >"$NTK_TMP/failback.out" 2>>"$NTK_TMP/dirtool.log" &
	dpid=$!
	wait_line "$NTK_TMP/failback.out" waiting
	"$SLAPD_BIN" -f "$NTK_TMP/slapd2/slapd.conf" -h "ldap://127.0.0.1:$closed/" || ntk_fail "second slapd did not start"
	ntk_wait_for 10 test -s "$NTK_TMP/slapd2/slapd.pid" || ntk_fail "second slapd wrote no pid file"
	slapd2_pid=$(cat "$NTK_TMP/slapd2/slapd.pid")
	ntk_on_exit "ntk_stop_pid $slapd2_pid"
	ntk_wait_for 10 ldapsearch -x -H "ldap://127.0.0.1:$closed/" -s base -b "" ||
		ntk_fail "second slapd does not answer"
	touch "$NTK_TMP/go3"
	wait_line "$NTK_TMP/failback.out" waiting 2
	sleep 31
	touch "$NTK_TMP/go4"
	wait "$dpid" || ntk_fail "failback: dirtool failed: $(cat "$NTK_TMP/failback.out")"
	ntk_assert_eq "server $S
server $S
server ldap://127.0.0.1:$closed/" "$(grep '^server' "$NTK_TMP/failback.out")" \
		"failback: second URI, still the second within 30 s, then the first again"
	ntk_assert_eq 3 "$(grep -c '^found yes' "$NTK_TMP/failback.out")" "failback: every call answered"
	ntk_stop_pid "$slapd2_pid"
else
	ntk_log "NTK_TEST_QUICK=1: the 31 s failback check left out"
fi

# The server restarts between two calls: the idle connection is found dead and re-opened.

"$DIRTOOL" "$CONF" subject alice waitfile "$NTK_TMP/go1" subject alice >"$NTK_TMP/restart.out" 2>>"$NTK_TMP/dirtool.log" &
dpid=$!
wait_line "$NTK_TMP/restart.out" waiting
slapd_stop
slapd_restart
touch "$NTK_TMP/go1"
wait "$dpid" || ntk_fail "reconnect: dirtool failed: $(cat "$NTK_TMP/restart.out")"
got=$(sed -n '10,$p' "$NTK_TMP/restart.out")
ntk_assert_eq "subject alice
found yes
name alice
role social_worker
assignment 1001
assignment 1002;until=2099-12-31
round_trips 5
server $S" "$got" "reconnect after a restart (lost search + bind + search)"

# --- a stopped and a hung server --------------------------------------------
slapd_stop
dt "$CONF" subject alice
ntk_assert_eq "2" "$RC" "stopped server: exit status"
ntk_assert_eq "subject alice
error NTK_ERR_UNAVAILABLE
round_trips 1
server none" "$OUT" "stopped server: unavailable"
dt "$FCONF" case 1001
ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "every URI down: unavailable"

slapd_restart
slapd_pause
t0=$EPOCHREALTIME
dt "$CONF" subject alice
t1=$EPOCHREALTIME
elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
ntk_assert_eq "2" "$RC" "hung server on connect: exit status"
ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "hung server on connect: unavailable"
ntk_log "hung server on connect: unavailable after $elapsed ms (timeout=2)"
[ "$elapsed" -lt 5000 ] || ntk_fail "hung server on connect: took ${elapsed} ms with timeout=2"
[ "$elapsed" -ge 1500 ] || ntk_fail "hung server on connect: gave up after ${elapsed} ms, before the timeout"
slapd_resume

# Hung after the connection is made: the search itself must time out.
"$DIRTOOL" "$CONF" subject alice waitfile "$NTK_TMP/go2" subject carol >"$NTK_TMP/hang.out" 2>>"$NTK_TMP/dirtool.log" &
dpid=$!
wait_line "$NTK_TMP/hang.out" waiting
slapd_pause
t0=$EPOCHREALTIME
touch "$NTK_TMP/go2"
set +e
wait "$dpid"
rc=$?
set -e
t1=$EPOCHREALTIME
slapd_resume
elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
ntk_assert_eq "2" "$rc" "hung server mid-session: exit status"
ntk_assert_contains "$(cat "$NTK_TMP/hang.out")" "subject carol
error NTK_ERR_UNAVAILABLE" "hung server mid-session: unavailable"
ntk_log "hung server mid-session: unavailable after $elapsed ms (timeout=2)"
[ "$elapsed" -ge 1500 ] || ntk_fail "hung server mid-session: gave up after ${elapsed} ms, before the timeout"
[ "$elapsed" -lt 5000 ] || ntk_fail "hung server mid-session: took ${elapsed} ms with timeout=2"

ntk_pass "directory queries, round trips, failover, timeouts"
