#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerate the autotools build files from configure.ac and the Makefile.am files.
set -e
cd "$(dirname "$0")"
autoreconf --install --force
