#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Many servers, one trail: two senders forward needtoknow records through
# audisp-remote (Debian's audispd-plugins, real TCP on 127.0.0.1) to a second
# auditd of our own, a collector (own config dir via `auditd -c`, own port,
# own log, local_events = no: it never registers with the kernel). `ntkctl
# audit --input` over the collector's log then shows each row's node, --node
# filters and the summary groups by node.
#
# The host's auditd is shared with other tests running now, so it is left as it
# is: turning on its au-remote plugin and a name_format would change its log
# under them. Instead the records are real ones from it (written with libaudit
# by ntk_audit_gen, read back with ausearch), given to audisp-remote on stdin as
# auditd gives a plugin its events, with the `node=NAME ` that name_format =
# user puts first. audisp-remote reads only /etc/audit/audisp-remote.conf, and
# auditd always writes /var/run/auditd.pid: both run in a private mount
# namespace where our own files are bind-mounted over those paths.
#
# NTK_TEST_HOST_AUDISP=1 (a machine of its own, e.g. a CI VM) also runs the
# literal setup: the host's auditd gets name_format and its au-remote plugin
# pointed at the collector, is reloaded, and its own records arrive with their
# node; every file is put back byte for byte and auditd reloaded again on exit.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/audit/audit_common.sh"

[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY: no live auditd test"
auditd_ensure
ntk_need_cmd unshare
AUDITD=$(command -v auditd || echo /sbin/auditd)
REMOTE=/sbin/audisp-remote
[ -x "$REMOTE" ] || ntk_skip "audisp-remote not installed (package audispd-plugins)"
ntk_tmpdir
export LC_ALL=C
out="$NTK_TMP/out"
GEN="$top_builddir/tests/audit/ntk_audit_gen"
C="$NTK_TMP/collector"
mkdir -p "$C/conf/plugins.d" "$C/run" "$C/log"
chmod 750 "$C/log"
host_pid=$(audit_registered_pid)

# The collector: what a central log server runs, on a port of its own.
collector_start() {
	local port=$1 i
	cat >"$C/conf/auditd.conf" <<CONF
local_events = no
write_logs = yes
log_file = $C/log/audit.log
log_group = root
log_format = ENRICHED
flush = DATA
freq = 0
max_log_file = 8
num_logs = 2
max_log_file_action = ROTATE
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
tcp_listen_port = $port
tcp_listen_queue = 5
tcp_max_per_addr = 4
use_libwrap = no
tcp_client_max_idle = 0
transport = TCP
distribute_network = no
plugin_dir = $C/conf/plugins.d
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 0
end_of_event_timeout = 2
CONF
	chmod 640 "$C/conf/auditd.conf"
	# -n: no fork, so $! is auditd itself (unshare and sh exec it)
	unshare -m --propagation private sh -c \
		'mount --bind "$1" /run && exec "$2" -n -c "$3"' _ "$C/run" "$AUDITD" "$C/conf" \
		>>"$C/auditd.out" 2>&1 &
	COLLECTOR_PID=$!
	for ((i = 0; i < 50; i++)); do
		kill -0 "$COLLECTOR_PID" 2>/dev/null || return 1
		ss -ltn 2>/dev/null | grep -q "127.0.0.1:$port \|\*:$port \|0.0.0.0:$port \|\[::\]:$port " && return 0
		sleep 0.1
	done
	return 1
}
collector_stop() { ntk_stop_pid "${COLLECTOR_PID:-}"; }
ntk_on_exit collector_stop
ntk_start_on_free_port 29040 29059 collector_start ||
	ntk_fail "the collector auditd did not listen: $(cat "$C/auditd.out" 2>/dev/null)"
PORT=$NTK_PORT
ntk_log "collector auditd pid $COLLECTOR_PID on 127.0.0.1:$PORT"
# local_events = no: the kernel still sends to the host's auditd
ntk_assert_eq "$host_pid" "$(audit_registered_pid)" "the collector did not register with the kernel"
audit_daemon_alive || ntk_fail "the host's auditd is no longer registered"

# send NODE FILE: one server's audisp-remote, its events on stdin (a pipe: it
# flushes its queue and exits at the end of input)
send() {
	local node=$1 file=$2
	cat >"$NTK_TMP/remote-$node.conf" <<CONF
remote_server = 127.0.0.1
port = $PORT
local_port = any
transport = tcp
mode = immediate
queue_file = $NTK_TMP/remote-$node.queue
queue_depth = 2048
format = managed
network_retry_time = 1
max_tries_per_record = 3
max_time_per_record = 5
heartbeat_timeout = 0
network_failure_action = syslog
disk_low_action = ignore
disk_full_action = ignore
disk_error_action = syslog
remote_ending_action = stop
generic_error_action = syslog
generic_warning_action = syslog
queue_error_action = syslog
overflow_action = syslog
startup_failure_action = warn_once_continue
CONF
	chmod 640 "$NTK_TMP/remote-$node.conf"
	# what auditd gives its plugins with name_format = user, name = NODE
	sed "s/^/node=$node /" "$file" | timeout 30 unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/audit/audisp-remote.conf && exec "$2"' _ \
		"$NTK_TMP/remote-$node.conf" "$REMOTE" >>"$NTK_TMP/remote-$node.out" 2>&1 ||
		ntk_fail "audisp-remote for $node: $(cat "$NTK_TMP/remote-$node.out")"
}

# Real records through the host's auditd: two runs of the same four decisions
# (a distinct user for this run), one run per server.
user="coll$$x$RANDOM"
audit_mark
"$GEN" live "$user" || ntk_fail "ntk_audit_gen live failed"
"$GEN" live "$user" || ntk_fail "ntk_audit_gen live failed"
for ((i = 0; i < 50; i++)); do
	audit_search_once -m USER_ACCT,TRUSTED_APP --raw | grep -F "acct=\"$user\"" >"$NTK_TMP/host.raw" || true
	[ "$(wc -l <"$NTK_TMP/host.raw")" -ge 8 ] && break
	sleep 0.2
done
ntk_assert_eq 8 "$(wc -l <"$NTK_TMP/host.raw")" "records of this run in the host's log"
head -n 4 "$NTK_TMP/host.raw" >"$NTK_TMP/srv-a.raw"
tail -n 4 "$NTK_TMP/host.raw" >"$NTK_TMP/srv-b.raw"
send srv-a "$NTK_TMP/srv-a.raw"
send srv-b "$NTK_TMP/srv-b.raw"

# the collector's log holds both servers' records, each with its node
CLOG="$C/log/audit.log"
for ((i = 0; i < 50; i++)); do
	[ "$(grep -c "acct=\"$user\"" "$CLOG" 2>/dev/null)" -ge 8 ] && break
	sleep 0.2
done
ntk_assert_eq 8 "$(grep -c "acct=\"$user\"" "$CLOG")" "records in the collector's log"
ntk_assert_eq 4 "$(grep -c "^node=srv-a .*acct=\"$user\"" "$CLOG")" "srv-a's records"
# auditd's own tools agree
ntk_assert_eq 4 "$(LC_ALL=C ausearch -if "$CLOG" --node srv-b -m TRUSTED_APP,USER_ACCT -i 2>/dev/null | grep -c "acct=$user")" "ausearch --node srv-b"

audit_rc 0 "$out" --input "$CLOG" --list --format csv --user "$user"
ntk_assert_eq 8 "$(($(wc -l <"$out") - 1))" "rows from the collector"
# the node column, found by its header (one user's list is a timeline with more columns)
nodes=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "node") c = i; next } { print $c }' "$out" | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')
ntk_assert_eq "srv-a=4 srv-b=4 " "$nodes" "node of each row"
audit_rc 0 "$out" --input "$CLOG" --list --format csv --node srv-b --denied
ntk_assert_eq 3 "$(grep -c ",srv-b," "$out")" "--node srv-b --denied"
ntk_assert_not_contains "$(cat "$out")" ",srv-a," "--node filters out srv-a"
audit_rc 0 "$out" --input "$CLOG" --summary --format csv --user "$user"
ntk_assert_contains "$(cat "$out")" "node,srv-a,3,1,0,4" "summary: srv-a"
ntk_assert_contains "$(cat "$out")" "node,srv-b,3,1,0,4" "summary: srv-b"
ntk_assert_contains "$(cat "$out")" "user,$user,6,2,0,8" "summary: the user over both"
# the collector's own rotations are found through its auditd.conf
NTK_AUDITD_CONF="$C/conf/auditd.conf" audit_rc 0 "$out" --summary --format csv --user "$user"
ntk_assert_contains "$(cat "$out")" "node,srv-b,3,1,0,4" "default logs of the collector"
ntk_pass "two servers through audisp-remote to a collector auditd on port $PORT ($AUDIT_VIA)"

[ "${NTK_TEST_HOST_AUDISP:-0}" = 1 ] || exit 0
# --- the host's own auditd as a sender (changes the shared daemon's config for a while)
HOST_FILES=(/etc/audit/auditd.conf /etc/audit/plugins.d/au-remote.conf /etc/audit/audisp-remote.conf)
for f in "${HOST_FILES[@]}"; do
	[ -f "$f" ] || ntk_skip "$f missing: the host-auditd part is not run"
done
mkdir -p "$NTK_TMP/saved"
for i in "${!HOST_FILES[@]}"; do
	cp -p "${HOST_FILES[$i]}" "$NTK_TMP/saved/$i"
done
host_reload() { auditctl --signal reload >/dev/null 2>&1 || kill -HUP "$(audit_registered_pid)"; }
host_restore() {
	local i
	for i in "${!HOST_FILES[@]}"; do
		cat "$NTK_TMP/saved/$i" >"${HOST_FILES[$i]}"
	done
	host_reload
}
ntk_on_exit host_restore
node="ntkhost$$"
sed -i -e 's/^name_format *=.*/name_format = user/' -e '/^name *=/d' /etc/audit/auditd.conf
grep -q '^name_format = user$' /etc/audit/auditd.conf || echo 'name_format = user' >>/etc/audit/auditd.conf
echo "name = $node" >>/etc/audit/auditd.conf
sed -i 's/^active *=.*/active = yes/' /etc/audit/plugins.d/au-remote.conf
sed "s/^port = .*/port = $PORT/" "$NTK_TMP/remote-srv-a.conf" >/etc/audit/audisp-remote.conf
host_reload
# audisp-remote connects when it has its first event: send records until they arrive
user2="host$$x$RANDOM"
for ((i = 0; i < 20; i++)); do
	"$GEN" live "$user2" || ntk_fail "ntk_audit_gen live failed"
	grep -q "^node=$node .*acct=\"$user2\"" "$CLOG" 2>/dev/null && break
	sleep 0.5
done
sleep 1
audit_rc 0 "$out" --input "$CLOG" --list --format csv --user "$user2" --node "$node"
[ "$(($(wc -l <"$out") - 1))" -ge 4 ] || ntk_fail "the host's records did not reach the collector: $(cat "$out")"
ntk_assert_contains "$(cat "$out")" ",denied,case,$user2,FACTS,1001,read,open,no-business-reason," "a host record with its node"
host_restore
for i in "${!HOST_FILES[@]}"; do
	cmp -s "$NTK_TMP/saved/$i" "${HOST_FILES[$i]}" || ntk_fail "${HOST_FILES[$i]} not restored"
done
audit_daemon_alive || ntk_fail "the host's auditd is gone"
ntk_pass "the host's auditd forwarded through its au-remote plugin as $node; its config restored"
