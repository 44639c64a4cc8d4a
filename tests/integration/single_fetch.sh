#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One directory fetch however many clients miss at once: a dozen clients ask
# about one uncached supervisor of 1,000 (CHECK, FACTS and INITGROUPS mixed),
# then about one uncached case group, while slapd is frozen so that every
# request is waiting at the same moment; slapd's own log (-d stats) must show
# exactly the searches of one fetch, and every client its right answer.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"
CLIENTS=12

# slapd in the foreground with its stats log (every SRCH it serves) in a file; still writes its pid file.
slapd_launch() {
	slapd_exec -f "$SLAPD_DIR/slapd.conf" -h "ldap://127.0.0.1:$1/" -d stats >"$SLAPD_DIR/stats.log" 2>&1 &
	ntk_wait_for 10 test -s "$SLAPD_DIR/slapd.pid"
}
searches() { grep -c ' SRCH base=' "$SLAPD_DIR/stats.log" || true; }
# settle: slapd logs a search as it starts it; wait until the count stops moving.
settle() {
	local a b
	b=$(searches)
	while :; do
		sleep 0.3
		a=$(searches)
		[ "$a" = "$b" ] && break
		b=$a
	done
	echo "$a"
}

ntk_tmpdir
# head0 supervises 100 leads and 900 workers (bench/scale_gen.awk); w0_99_8 holds case 110010.
awk -v staff=1000 -f "$top_srcdir/bench/scale_gen.awk" >"$NTK_TMP/team.ldif"
slapd_start 29180 29199 "$NTK_TMP/team.ldif"
NTK_TEST_LDAP_TIMEOUT=20 ntkd_write_conf
sed -i -e 's/^case_gid_max = .*/case_gid_max = 999999/' -e 's/^threads = .*/threads = 16/' "$NTK_CONF"
ntkd_start
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }
CASE=110010

# burst NAME CMD...: flush, freeze slapd, start $CLIENTS clients running CMD (the
# argument list is split on "|" per client), thaw, wait; prints the searches it cost.
burst() {
	local name=$1 before i p pids=()
	shift
	ntkctl_t flush >/dev/null
	before=$(settle)
	slapd_pause
	for ((i = 0; i < CLIENTS; i++)); do
		"$@" "$i" >"$NTK_TMP/$name.$i" 2>&1 &
		pids+=($!)
	done
	# Every request in ntkd, the first one's search sent and unanswered.
	sleep 1.5
	slapd_resume
	for p in "${pids[@]}"; do wait "$p" || ntk_fail "$name: a client failed: $(cat "$NTK_TMP/$name".*)"; done
	echo $(($(settle) - before))
}

# One fetch alone: the reference count.
ntkctl_t flush >/dev/null
before=$(settle)
check_is "ALLOW rule=supervisor" --user head0 --system FACTS --case "$CASE"
one=$(($(settle) - before))
ntk_log "one cold fetch of head0: $one searches"
[ "$one" -ge 3 ] || ntk_fail "a supervisor's fetch should take a user search and one per level, saw $one"
gids_want=$(send initgroups head0 | wc -w)

# Client i: CHECK, FACTS or INITGROUPS by i mod 3.
mixed() {
	case $(($1 % 3)) in
	0) send check head0 FACTS read "$CASE" open "" ;;
	1) send facts head0 FACTS ;;
	2) send initgroups head0 ;;
	esac
}
got=$(burst user mixed)
for ((i = 0; i < CLIENTS; i++)); do
	out=$(cat "$NTK_TMP/user.$i")
	case $((i % 3)) in
	0) ntk_assert_eq "ALLOW rule=supervisor" "$out" "client $i CHECK" ;;
	1) ntk_assert_contains "$out" "outcome=system-access" "client $i FACTS" ;;
	2) ntk_assert_eq "$gids_want" "$(printf '%s\n' "$out" | wc -w)" "client $i INITGROUPS gids" ;;
	esac
done
ntk_assert_eq "$one" "$got" "searches for $CLIENTS concurrent misses of head0 (one fetch: $one)"

# A case group: members computed once for all askers.
ntkctl_t flush >/dev/null
before=$(settle)
want=$(send group "ntk-case-$CASE")
gone=$(($(settle) - before))
ntk_assert_eq "ntk-case-$CASE $((200000 + CASE)) head0,lead0_99,w0_99_8" "$want" "the case group"
group() { send group "ntk-case-$CASE"; }
got=$(burst group group)
for ((i = 0; i < CLIENTS; i++)); do
	ntk_assert_eq "$want" "$(cat "$NTK_TMP/group.$i")" "client $i group"
done
ntk_assert_eq "$gone" "$got" "searches for $CLIENTS concurrent misses of ntk-case-$CASE (one computation: $gone)"
ntkd_finish
ntk_pass "concurrent misses for one user or group cost one directory fetch"
