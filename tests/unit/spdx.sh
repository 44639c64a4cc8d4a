#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every source file says its licence in its first lines (SPDX), as LICENSE and
# debian/copyright declare: LGPL-2.1-or-later, the convention for modules that
# PAM and NSS load into every process. Runs on the tree or an unpacked tarball.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
missing=0
checked=0
while IFS= read -r -d '' f; do
	checked=$((checked + 1))
	if ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later'; then
		echo "no SPDX line: ${f#"$top_srcdir"/}" >&2
		missing=$((missing + 1))
	fi
done < <(find "$top_srcdir" \( -name .git -o -name 'build*' -o -name autom4te.cache -o -name '_build' \
	-o -path '*/debian/build-pg*' -o -name fuzz_corpus -o -name expected -o -path '*/postgresql/sql' \) -prune -o \
	-type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.awk' \
	-o -name Makefile.am -o -name configure.ac -o -name '*.[1-8]' \) -print0)
if [ "$checked" -lt 100 ]; then
	echo "FAIL [spdx.sh]: only $checked source files found under $top_srcdir" >&2
	exit 1
fi
if [ "$missing" != 0 ]; then
	echo "FAIL [spdx.sh]: $missing of $checked source files carry no SPDX line" >&2
	exit 1
fi
echo "PASS [spdx.sh]: $checked source files carry SPDX-License-Identifier: LGPL-2.1-or-later" >&2
