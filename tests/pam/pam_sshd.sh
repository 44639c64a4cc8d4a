#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End to end through sshd (key auth, UsePAM yes): pam_ntk in the account stage lets alice in and keeps judy out.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
ntk_need_cmd ssh ssh-keygen useradd userdel
[ -x /usr/sbin/sshd ] || ntk_skip "openssh-server not installed"
pam_setup 28932 28934

# sshd names its PAM service after the program it runs as (__progname):
# started through a link called ntk-test-sshd, it reads /etc/pam.d/ntk-test-sshd.
pam_service ntk-test-sshd \
	"auth required @MOD@/pam_deny.so" \
	"account required @NTK@ system=FACTS @SOCK@" \
	"session required @MOD@/pam_permit.so" \
	"password required @MOD@/pam_deny.so"
pam_etc_service ntk-test-sshd

for u in alice ivan judy; do
	pam_local_user "$u"
done
if [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd
	chmod 755 /run/sshd
fi

S=$NTK_TMP/sshd
mkdir -p "$S/keys"
ln -s /usr/sbin/sshd "$S/ntk-test-sshd"
ssh-keygen -q -t ed25519 -N '' -f "$S/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$S/userkey"
for u in alice ivan judy; do
	cp "$S/userkey.pub" "$S/keys/$u"
done
chmod 755 "$S" "$S/keys"
chmod 644 "$S"/keys/*
SSHD_PORT=$(ntk_free_port 28932 28934)
cat >"$S/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $S/hostkey
PidFile $S/sshd.pid
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthenticationMethods publickey
AuthorizedKeysFile $S/keys/%u
StrictModes no
PermitRootLogin no
LogLevel VERBOSE
CONF

env $PAM_PRELOAD "$S/ntk-test-sshd" -D -f "$S/sshd_config" -E "$S/sshd.log" &
SSHD_PID=$!
ntk_on_exit "ntk_stop_pid $SSHD_PID"
ntk_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSHD_PORT" || {
	cat "$S/sshd.log" >&2
	ntk_fail "sshd does not listen on $SSHD_PORT"
}

# ssh_as USER: run `echo ntk-ok` on the test sshd as USER; output in SSH_OUT, status in SSH_RC.
ssh_as() {
	set +e
	SSH_OUT=$(timeout 30 ssh -F /dev/null -i "$S/userkey" -p "$SSHD_PORT" -o BatchMode=yes \
		-o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=INFO "$1@127.0.0.1" echo ntk-ok 2>&1)
	SSH_RC=$?
	set -e
}

ssh_as alice
[ "$SSH_RC" = 0 ] || ntk_fail "alice refused by sshd ($SSH_RC): $SSH_OUT; log: $(cat "$S/sshd.log")"
ntk_assert_contains "$SSH_OUT" "ntk-ok" "alice's session"
ssh_as ivan
[ "$SSH_RC" = 0 ] || ntk_fail "ivan refused by sshd ($SSH_RC): $SSH_OUT"

ssh_as judy
[ "$SSH_RC" != 0 ] || ntk_fail "judy got a session through sshd: $SSH_OUT"
ntk_assert_not_contains "$SSH_OUT" "ntk-ok" "judy's attempt"
ntk_wait_for 5 grep -q "Access denied for user judy by PAM account configuration" "$S/sshd.log" ||
	ntk_fail "sshd did not log judy's PAM account denial: $(cat "$S/sshd.log")"
# It was pam_ntk, through the ntk-test-sshd service, that refused her: sshd passes its message on as a banner.
ntk_assert_contains "$SSH_OUT" "needtoknow: access to FACTS denied (system-not-permitted)" "what judy's ssh shows"

# Daemon down: nobody gets in.
ntkd_stop
ssh_as alice
[ "$SSH_RC" != 0 ] || ntk_fail "alice got in with ntkd down: $SSH_OUT"
ntk_pass "sshd: alice and ivan in, judy refused by PAM account, nobody in with ntkd down"
