#!/bin/sh
# Prints, as roff for cmdr.1, the key list `CMDR config keys [scenario]`
# prints: each "PATH (WHAT): DOC" line becomes a .TP item. `make man`
# writes it into cmdr.1 between the marker lines
#   .\" BEGIN KIND keys    and    .\" END KIND keys
# and tests/cli/docs.sh checks that cmdr.1 holds what this prints.
# Usage: man_keys.sh CMDR config|scenario
set -eu
cmdr=$1 kind=$2
if [ "$kind" = config ]; then "$cmdr" config keys; else "$cmdr" config keys scenario; fi |
	sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^'/\\\\\\&'/" |
	awk '{ i = index($0, " ("); print ".TP"; print ".B " substr($0, 1, i - 1); print substr($0, i + 1) }'
