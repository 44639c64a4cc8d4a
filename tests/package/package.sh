#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# debian/: dpkg-buildpackage in a copy of the tree gives the five packages, lintian finds no
# error, `apt-get install ./*.deb` installs them, the INSTALLED ntkd answers a PAM login
# (pamtester, pam_ntk.so found by name), a PostgreSQL query (CREATE EXTENSION ntk in a
# throwaway cluster), a MariaDB query (install.sql, ntk_udf.so) and an NSS lookup; `apt-get purge` then leaves none of their files,
# directories or systemd enablement behind. Purges at exit whatever happens.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

PKGS=(ntkd libpam-ntk libnss-ntk postgresql-15-ntk mariadb-plugin-ntk)
PG_BIN=/usr/lib/postgresql/15/bin

[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"
ntk_need_root
ntk_need_cmd dpkg-buildpackage dh lintian apt-get flock pamtester runuser mariadb mariadb-install-db
[ -x "$PG_BIN/initdb" ] || ntk_skip "postgresql-15 not installed"
[ -x /usr/bin/pg_buildext ] || ntk_skip "postgresql-server-dev-all not installed"

# One run at a time on this machine: the packages are machine-wide.
exec 9>/run/lock/ntk-package-test.lock
flock -w 900 9 || ntk_fail "another package test holds /run/lock/ntk-package-test.lock"

installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^.i'; }
# Known: installed, or config files left (status other than not-installed).
known() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^.[^n]'; }
for p in "${PKGS[@]}"; do
	! known "$p" || ntk_fail "package $p is on this machine already (not ours to replace): apt-get purge ${PKGS[*]}"
done

# /etc/ntk is the packages' (purge removes ntk.conf): a machine's own one is not ours to touch.
[ ! -e /etc/ntk ] || ntk_fail "/etc/ntk exists (a make install?): the package test would take it over"

ntk_tmpdir
START=$(date +%s)

# --- build in a copy of the tree --------------------------------------------------
src=$NTK_TMP/src/needtoknow
mkdir -p "$src"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked and new files, none of the build trees or outputs (.gitignore).
	(cd "$top_srcdir" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -P -t "$src")
else
	tar -C "$top_srcdir" --exclude='./build*' --exclude=./debian/build --exclude='./debian/build-pg*' \
		-cf - . | tar -C "$src" -xf -
fi
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
	>"$NTK_TMP/build.log" 2>&1 || {
	tail -40 "$NTK_TMP/build.log" >&2
	ntk_fail "dpkg-buildpackage failed"
}
debs=()
for p in "${PKGS[@]}"; do
	f=$(ls "$NTK_TMP/src/${p}_"*.deb 2>/dev/null || true)
	[ -f "$f" ] || ntk_fail "dpkg-buildpackage made no $p package: $(ls "$NTK_TMP/src")"
	debs+=("$f")
done
ntk_log "built in $(($(date +%s) - START)) s"

# -I: the informational tags too, for the log; only errors fail.
lint=$(lintian --display-info --fail-on error "$NTK_TMP/src/"needtoknow_*.changes 2>&1) || ntk_fail "lintian: $lint"
printf 'lintian: %s\n' "$lint" >&2
ntk_assert_not_contains "$lint" "E: " "lintian errors"
ntk_pass "dpkg-buildpackage made ${PKGS[*]}; lintian: no errors"

# --- install ----------------------------------------------------------------------
run_before=no
[ -e /run/ntk ] && run_before=yes
purge_ours() {
	local p installed=()
	for p in "${PKGS[@]}"; do
		known "$p" && installed+=("$p")
	done
	[ "${#installed[@]}" = 0 ] || DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${installed[@]}"
}
ntk_on_exit "purge_ours"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${debs[@]}" \
	>"$NTK_TMP/install.log" 2>&1 || {
	cat "$NTK_TMP/install.log" >&2
	ntk_fail "apt-get install ./*.deb failed"
}
for p in "${PKGS[@]}"; do
	installed "$p" || ntk_fail "$p not installed after apt-get install"
	dpkg -L "$p" >"$NTK_TMP/files.$p"
	# Every file there with dpkg's checksum (a test copying into system dirs would show here).
	out=$(dpkg --verify "$p" 2>&1) || ntk_fail "dpkg --verify $p: $out"
	ntk_assert_eq "" "$out" "dpkg --verify $p"
done
# Nothing machine-wide was switched on behind the admin's back.
if grep -qw ntk /etc/nsswitch.conf; then ntk_fail "nsswitch.conf names ntk after install"; fi
if grep -q pam_ntk /etc/pam.d/common-*; then ntk_fail "a common PAM stack names pam_ntk after install"; fi
if cat "$NTK_TMP"/files.* | grep -E '^/etc/pam\.d/|^/usr/share/pam-configs/|^/etc/nsswitch'; then
	ntk_fail "a package ships a PAM stack, pam-auth-update profile or nsswitch.conf"
fi
[ ! -e /etc/ntk/ntk.conf ] || ntk_fail "the package installed /etc/ntk/ntk.conf"
for f in /usr/sbin/ntkd /usr/bin/ntkctl /lib/systemd/system/ntkd.service \
	/usr/lib/tmpfiles.d/ntkd.conf /usr/share/doc/libpam-ntk/examples/pam.d-example \
	/usr/share/doc/libnss-ntk/examples/nsswitch.conf-example /usr/lib/mysql/plugin/ntk_udf.so \
	/usr/lib/postgresql/15/lib/ntk.so /usr/share/postgresql/15/extension/ntk.control; do
	[ -e "$f" ] || ntk_fail "$f not installed"
done
ntk_pass "apt-get install ./*.deb; nsswitch.conf and PAM stacks untouched"

# --- the installed ntkd, PAM, PostgreSQL and NSS modules --------------------------
NTKD=/usr/sbin/ntkd
NTKCTL=/usr/bin/ntkctl
slapd_start 29500 29509
ntkd_write_conf
ntkd_start
ntk_assert_contains "$(ntk_status)" "ldap_uri" "ntkctl status from the installed ntkctl"

svc=ntk-pkgtest-$$
[ ! -e "/etc/pam.d/$svc" ] || ntk_fail "/etc/pam.d/$svc exists already"
ntk_on_exit "rm -f /etc/pam.d/$svc"
printf 'account required pam_ntk.so system=FACTS socket=%s\n' "$NTK_SOCKET" >"/etc/pam.d/$svc"
out=$(pamtester "$svc" alice acct_mgmt 2>&1) || ntk_fail "pamtester $svc alice: $out"
if out=$(pamtester "$svc" judy acct_mgmt 2>&1); then
	ntk_fail "pamtester $svc judy: allowed, expected system-not-permitted"
fi
ntk_assert_contains "$out" "system-not-permitted" "judy's login denied"
ntk_pass "PAM login through the installed pam_ntk.so: alice allowed, judy denied"

# A throwaway cluster of the system's PostgreSQL, which loads the packaged ntk.so.
pgdata=$NTK_TMP/pgdata
mkdir -p "$pgdata" "$NTK_TMP/pgsock"
chown postgres: "$pgdata" "$NTK_TMP/pgsock"
runuser -u postgres -- "$PG_BIN/initdb" -D "$pgdata" -U postgres -A trust --no-sync \
	>"$NTK_TMP/initdb.log" 2>&1 || ntk_fail "initdb: $(tail -5 "$NTK_TMP/initdb.log")"
pg_launch() {
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -l "$NTK_TMP/pgsock/log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $1 -c unix_socket_directories=$NTK_TMP/pgsock \
-c ntk.socket=$NTK_SOCKET -c ntk.system=FACTS -c fsync=off" start >/dev/null
}
ntk_on_exit "runuser -u postgres -- $PG_BIN/pg_ctl -D $pgdata -m fast -w -t 30 stop"
ntk_start_on_free_port 29510 29519 pg_launch || ntk_fail "postgres did not start: $(cat "$NTK_TMP/pgsock/log")"
psql_q() { "$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$NTK_PORT" -U postgres -d postgres "$@"; }
out=$(psql_q -c "CREATE EXTENSION ntk" -c "CREATE ROLE alice" -c "SET ROLE alice" \
	-c "SELECT ntk.can_access('1001'), ntk.can_access('1003')" 2>&1) || ntk_fail "psql: $out"
ntk_assert_eq "t|f" "$out" "alice's cases through the packaged extension"
lib=$(psql_q -c "SELECT setting FROM pg_settings WHERE name = 'dynamic_library_path'")
ntk_assert_eq '$libdir' "$lib" "the cluster loads extensions from the system's libdir"
ntk_pass "PostgreSQL query through the packaged extension: alice sees 1001, not 1003"

# A throwaway MariaDB with its compiled-in plugin_dir, where the package put ntk_udf.so.
my=$NTK_TMP/mysql
mkdir -p "$my"
mariadb-install-db --no-defaults --datadir="$my/data" --user=root >"$my/install.log" 2>&1 ||
	ntk_fail "mariadb-install-db: $(tail -5 "$my/install.log")"
NTK_SYSTEM=FACTS NTK_SOCKET=$NTK_SOCKET /usr/sbin/mariadbd --no-defaults --datadir="$my/data" \
	--socket="$my/sock" --port="$(ntk_free_port 29540 29549)" --bind-address=127.0.0.1 --user=root \
	--pid-file="$my/pid" --skip-name-resolve --log-error="$my/error.log" &
MY_PID=$!
ntk_on_exit "ntk_stop_pid $MY_PID"
my_q() { mariadb --no-defaults -S "$my/sock" -u root -N -B "$@"; }
ntk_wait_for 60 my_q -e 'SELECT 1' || ntk_fail "mariadbd did not start: $(tail -20 "$my/error.log")"
ntk_assert_eq /usr/lib/mysql/plugin/ "$(my_q -e "SELECT @@plugin_dir")" "the server's plugin_dir"
my_q </usr/share/needtoknow/install.sql || ntk_fail "the packaged install.sql failed"
# The UDFs decide for the account the statement runs under (ntk_udf(7)): log in as alice.
my_q -e "CREATE USER 'alice'@'localhost' IDENTIFIED BY 'pw-alice'" || ntk_fail "mariadb: alice's account"
out=$(mariadb --no-defaults -S "$my/sock" -u alice -ppw-alice -N -B \
	-e "SELECT ntk_can_access('1001'), ntk_can_access('1003')" 2>&1) || ntk_fail "mariadb: $out"
ntk_assert_eq "1	0" "$out" "alice's cases through the packaged UDFs"
ntk_stop_pid "$MY_PID"
ntk_pass "MariaDB query through the packaged ntk_udf.so: alice sees 1001, not 1003"

nsswrap=$(ldconfig -p | awk '/libnss_wrapper\.so / && !found {print $NF; found = 1}' || true)
if [ -n "$nsswrap" ]; then
	printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:5001:5001::/nonexistent:/bin/sh\n' >"$NTK_TMP/passwd"
	printf 'root:x:0:\n' >"$NTK_TMP/group"
	out=$(env LD_PRELOAD="$nsswrap" NSS_WRAPPER_PASSWD="$NTK_TMP/passwd" NSS_WRAPPER_GROUP="$NTK_TMP/group" \
		NSS_WRAPPER_MODULE_SO_PATH="/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libnss_ntk.so.2" \
		NSS_WRAPPER_MODULE_FN_PREFIX=ntk NTK_SOCKET="$NTK_SOCKET" getent group 201001) ||
		ntk_fail "getent group 201001 through the packaged libnss_ntk failed"
	ntk_assert_contains "$out" "ntk-case-1001:*:201001:" "case group from the packaged NSS module"
	ntk_pass "NSS lookup through the packaged libnss_ntk.so.2"
fi
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -m fast -w -t 30 stop >/dev/null
ntkd_stop
# The site's config, as an admin writes it: purge takes it (it is the package's configuration).
install -m 600 "$NTK_CONF" /etc/ntk/ntk.conf

# --- purge: nothing left ------------------------------------------------------------
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${PKGS[@]}" >"$NTK_TMP/purge.log" 2>&1 || {
	cat "$NTK_TMP/purge.log" >&2
	ntk_fail "apt-get purge failed"
}
for p in "${PKGS[@]}"; do
	! known "$p" || ntk_fail "$p still known to dpkg after purge"
	while read -r f; do
		# Directories shared with other packages (/usr, /lib/...) stay; ours must go.
		case "$f" in
		/etc/ntk | /usr/share/needtoknow | /usr/share/doc/*ntk*) ;;
		*) [ -d "$f" ] && continue ;;
		esac
		[ ! -e "$f" ] && [ ! -L "$f" ] || ntk_fail "$f ($p) left after purge"
	done <"$NTK_TMP/files.$p"
done
for f in /etc/systemd/system/multi-user.target.wants/ntkd.service \
	/var/lib/systemd/deb-systemd-helper-enabled/ntkd.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/ntkd.service; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || ntk_fail "$f left after purge"
done
[ ! -e /etc/ntk ] || ntk_fail "/etc/ntk left after purge: $(ls -la /etc/ntk)"
[ "$run_before" = yes ] || [ ! -e /run/ntk ] || ntk_fail "/run/ntk left after purge"
ldconfig -p >"$NTK_TMP/ldcache"
if grep -q libnss_ntk "$NTK_TMP/ldcache"; then ntk_fail "libnss_ntk still in the ld.so cache after purge"; fi
ntk_pass "apt-get purge left no file, directory or unit enablement ($(($(date +%s) - START)) s in all)"
