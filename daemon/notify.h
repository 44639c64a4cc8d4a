/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd notify protocol (sd_notify) spoken directly: no libsystemd in a daemon this small. */
#ifndef NTKD_NOTIFY_H
#define NTKD_NOTIFY_H

/*
 * Send `state` ("READY=1", "STOPPING=1", "RELOADING=1\nMONOTONIC_USEC=...")
 * as one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET: a path, or
 * an abstract name when it starts with '@'. Without $NOTIFY_SOCKET (not
 * started by systemd with Type=notify) nothing is sent and 0 is returned.
 * 0, NTK_ERR_BAD_VALUE (an address we do not speak), NTK_ERR_TOO_LONG or
 * NTK_ERR_IO (errno set).
 */
int ntkd_notify(const char *state);

/* "RELOADING=1" with the monotonic time systemd >= 253 matches it against. */
int ntkd_notify_reloading(void);

#endif /* NTKD_NOTIFY_H */
