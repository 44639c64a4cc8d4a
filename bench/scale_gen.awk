# SPDX-License-Identifier: LGPL-2.1-or-later
# A generated agency for the scale benchmark: `awk -v staff=N -f scale_gen.awk` writes LDIF.
#
# The tree has three manager levels: one director (dir), staff / 1000 heads
# of 1,000 (head<h>: 100 leads + 900 workers below), leads of 9
# (lead<h>_<l>) and workers (w<h>_<l>_<k>): staff = 20000 gives 20,021
# people and 200,200 assignments. About ten case assignments per person (none for
# the director): a lead holds five of its workers' cases again (the same
# case twice in a head's view) and five of its own; a worker's tenth case
# has expired. Case ids are 100000 + 10 * person + k, so unique per holder.
# All in ou=scale under dc=agency,dc=example; roles by ntkRole.
BEGIN {
	if (staff < 1000 || staff > 1000000) { print "scale_gen.awk: staff must be 1000..1000000" > "/dev/stderr"; exit 2 }
	base = "ou=scale,dc=agency,dc=example"
	heads = int(staff / 1000)
	print "dn: " base "\nobjectClass: organizationalUnit\nou: scale\n"
	person("dir", "", "supervisor", 0)
	p = 1
	for (h = 0; h < heads; h++) {
		hn = "head" h
		person(hn, "dir", "supervisor", 10)
		for (l = 0; l < 100; l++) {
			ln = "lead" h "_" l
			lp = p + 1
			person(ln, hn, "supervisor\nntkRole: social_worker", 5)
			# Five of its workers' first cases again: the persons after it, in order.
			for (k = 0; k < 5; k++) print "ntkCaseAssignment: " 100000 + 10 * (lp + k)
			print ""
			for (w = 0; w < 9; w++) {
				person("w" h "_" l "_" w, ln, "social_worker", 9)
				print "ntkCaseAssignment: " 100000 + 10 * p + 9 ";until=2020-01-01\n"
			}
		}
	}
}

# person UID MANAGER ROLES NCASES: the entry with NCASES cases of its own; the
# caller ends it (a blank line) after any more values. p counts persons.
function person(uid, mgr, roles, n,    k) {
	printf "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: %s\ncn: %s\nsn: %s\nntkRole: %s\n", uid, base, uid, uid, uid, roles
	if (mgr != "")
		printf "manager: uid=%s,%s\n", mgr, base
	for (k = 0; k < n; k++)
		printf "ntkCaseAssignment: %d\n", 100000 + 10 * p + k
	if (uid == "dir" || n == 10)
		print ""
	p++
}
