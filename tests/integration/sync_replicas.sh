#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replicated directories: two slapd on 127.0.0.1 in multi-provider replication
# (syncprov + syncrepl both ways, multiprovider on), ntkd given both URIs with
# ttl = 3600. A change written on either server reaches ntkd's decisions through
# its subscription on the first; the first is killed (by PID); ntkd's subscription
# moves to the second, resumes there with its cookie, and changes written there
# keep reaching decisions, including one written while ntkd was moving. Then A
# returns and B freezes: the subscription's keepalive gives B up and it moves back;
# A freezes and thaws: the subscription goes to B, then fails back to A.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"
ntk_need_cmd slapcat slapadd ldapmodify ldapsearch

ntk_tmpdir
PORT_A=$(ntk_free_port 29450 29459)
PORT_B=$(ntk_free_port 29460 29469)
# replica_db OTHER_PORT: this server's provider side and its consumer of the other.
replica_db() {
	cat <<DB
index entryCSN,entryUUID eq
overlay syncprov
syncprov-checkpoint 100 1
syncprov-sessionlog 1000
syncrepl rid=001 provider=ldap://127.0.0.1:$1/ bindmethod=simple binddn="$SLAPD_ROOTDN" credentials=$SLAPD_ROOTPW searchbase="$SLAPD_BASE" type=refreshAndPersist retry="1 +" timeout=3 network-timeout=3
multiprovider on
DB
}

# A: the sample directory, as every test loads it.
SLAPD_EXTRA_MODULES=syncprov SLAPD_EXTRA_GLOBAL="serverID 1" SLAPD_EXTRA_DB=$(replica_db "$PORT_B") \
	slapd_start "$PORT_A" "$PORT_A"
URI_A=$SLAPD_URI
PID_A=$SLAPD_PID
DIR_A=$SLAPD_DIR

# B: a copy of A's database (same entryUUIDs and CSNs, as replicas are seeded), its own serverID.
DIR_B=$NTK_TMP/slapd-b
mkdir -p "$DIR_B/data"
sed -e "s|^serverID 1|serverID 2|" -e "s|127.0.0.1:$PORT_B/|127.0.0.1:$PORT_A/|" \
    -e "s|$DIR_A|$DIR_B|g" "$DIR_A/slapd.conf" >"$DIR_B/slapd.conf"
slapcat -f "$DIR_A/slapd.conf" -l "$NTK_TMP/a.ldif" 2>"$NTK_TMP/slapcat.log" ||
	ntk_fail "slapcat: $(cat "$NTK_TMP/slapcat.log")"
slapadd -q -f "$DIR_B/slapd.conf" -l "$NTK_TMP/a.ldif" >"$DIR_B/slapadd.log" 2>&1 ||
	ntk_fail "slapadd B: $(cat "$DIR_B/slapadd.log")"
slapd_exec -f "$DIR_B/slapd.conf" -h "ldap://127.0.0.1:$PORT_B/" || ntk_fail "slapd B did not start"
ntk_wait_for 10 test -s "$DIR_B/slapd.pid" || ntk_fail "slapd B wrote no pid file"
PID_B=$(cat "$DIR_B/slapd.pid")
ntk_on_exit "ntk_stop_pid $PID_B"
URI_B="ldap://127.0.0.1:$PORT_B/"
ntk_wait_for 10 ldapsearch -x -H "$URI_B" -s base -b "" || ntk_fail "slapd B does not answer"

# modify_on URI LINES...: ldapmodify as the directory root on one server.
modify_on() {
	local uri=$1
	shift
	printf '%s\n' "$@" | ldapmodify -x -H "$uri" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null
}
# The pair replicates both ways before ntkd is started.
modify_on "$URI_A" "dn: uid=judy,ou=people,$SLAPD_BASE" "changetype: modify" "replace: description" "description: a"
ntk_wait_for 15 sh -c "ldapsearch -x -LLL -H '$URI_B' -b 'uid=judy,ou=people,$SLAPD_BASE' description | grep -qx 'description: a'" ||
	ntk_fail "A -> B replication does not work"
modify_on "$URI_B" "dn: uid=judy,ou=people,$SLAPD_BASE" "changetype: modify" "replace: description" "description: b"
ntk_wait_for 15 sh -c "ldapsearch -x -LLL -H '$URI_A' -b 'uid=judy,ou=people,$SLAPD_BASE' description | grep -qx 'description: b'" ||
	ntk_fail "B -> A replication does not work"

NTK_TEST_TTL=3600 NTK_TEST_NEGATIVE_TTL=3600 ntkd_write_conf "$URI_A" "$URI_B"
ntkd_start
status_of() { ntk_status | sed -n "s/^$1=//p"; }
poll_check() {
	local want=$1
	shift
	ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' check $* | grep -qx '$want'" ||
		ntk_fail "check $*: still [$(ntkctl_t check "$@" 2>&1 || true)] 10 s after the change, want [$want]"
	check_is "$want" "$@"
}
ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=following" ||
	ntk_fail "no subscription: $(ntk_status | grep dir_sync)"
ntk_assert_eq "$URI_A" "$(status_of dir_sync_server)" "following the first URI"

# Written on A, and written on B (reaching ntkd through A's replication).
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
check_is "ALLOW rule=assigned" --user bob --system FACTS --case 1003
modify_on "$URI_A" "dn: uid=alice,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkCaseAssignment" \
	"ntkCaseAssignment: 1001"
poll_check "DENY reason=no-business-reason" --user alice --system FACTS --case 1001
modify_on "$URI_B" "dn: uid=bob,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkCaseAssignment" \
	"ntkCaseAssignment: 1003"
poll_check "DENY reason=no-business-reason" --user bob --system FACTS --case 1003

# A dies. The first change on B follows at once, before ntkd has even moved.
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1002
check_is "ALLOW rule=assigned" --user trent --system FACTS --case 1003
resumed0=$(status_of dir_sync_resumed)
ntk_stop_pid "$PID_A"
modify_on "$URI_B" "dn: uid=alice,ou=people,$SLAPD_BASE" "changetype: modify" "replace: manager" \
	"manager: uid=dave,ou=people,$SLAPD_BASE"
poll_check "DENY reason=no-business-reason" --user carol --system FACTS --case 1002
ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx 'dir_sync_server=$URI_B'" ||
	ntk_fail "the subscription did not move to B: $(ntk_status | grep dir_sync)"
ntk_assert_eq following "$(status_of dir_sync)" "following B"
resumed=$(status_of dir_sync_resumed)
[ "$resumed" -gt "$resumed0" ] || ntk_fail "dir_sync_resumed=$resumed: B was not resumed with the cookie"
# And it keeps following there.
modify_on "$URI_B" "dn: uid=trent,ou=people,$SLAPD_BASE" "changetype: modify" "add: description" \
	"description: x"
modify_on "$URI_B" "dn: uid=trent,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkCaseAssignment" \
	"ntkCaseAssignment: 1003"
poll_check "DENY reason=no-business-reason" --user trent --system FACTS --case 1003

# A comes back, B freezes (SIGSTOP: its connections stay open and silent): the
# subscription's keepalive gives B up and it moves back to A, where changes follow.
check_is "ALLOW rule=assigned" --user grace --system FACTS --case 1001
rm -f "$DIR_A/slapd.pid"
slapd_exec -f "$DIR_A/slapd.conf" -h "$URI_A" || ntk_fail "slapd A did not restart"
ntk_wait_for 10 test -s "$DIR_A/slapd.pid" || ntk_fail "slapd A wrote no pid file after restart"
PID_A=$(cat "$DIR_A/slapd.pid")
ntk_on_exit "ntk_stop_pid $PID_A"
ntk_wait_for 10 ldapsearch -x -H "$URI_A" -s base -b "" || ntk_fail "slapd A does not answer after restart"
ntk_on_exit "kill -CONT $PID_B"
kill -STOP "$PID_B"
ntk_wait_for 40 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx 'dir_sync_server=$URI_A'" ||
	ntk_fail "the subscription stayed on frozen B: $(ntk_status | grep dir_sync)"
modify_on "$URI_A" "dn: uid=grace,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkCaseAssignment" \
	"ntkCaseAssignment: 1001;until=2099-06-30;access=read"
poll_check "DENY reason=no-business-reason" --user grace --system FACTS --case 1001
kill -CONT "$PID_B"
ntk_assert_contains "$(cat "$NTK_TMP/ntkd.log")" "did not answer a keepalive" "the keepalive gave B up"

# Failback: A freezes (the subscription moves to B), thaws, and within the failback
# period (60 s) the subscription is back on A, the nearest replica.
kill -STOP "$PID_A"
ntk_on_exit "kill -CONT $PID_A"
ntk_wait_for 40 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx 'dir_sync_server=$URI_B'" ||
	ntk_fail "the subscription stayed on frozen A: $(ntk_status | grep dir_sync)"
kill -CONT "$PID_A"
ntk_wait_for 90 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx 'dir_sync_server=$URI_A'" ||
	ntk_fail "no failback to A: $(ntk_status | grep dir_sync)"
ntk_assert_contains "$(cat "$NTK_TMP/ntkd.log")" "dir_sync: trying $URI_A again" "failback logged"
ntk_log "$(ntk_status | grep '^dir_sync' | tr '\n' ' ')"
ntkd_finish
ntk_pass "replicated pair: changes on either server followed, failover to the second resumes there"
