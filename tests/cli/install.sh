#!/bin/sh
# make install / uninstall honour PREFIX and DESTDIR; drills are found by name.
. "$(dirname "$0")/../lib.sh"

install_and_uninstall() {
	stage="$WORK/stage"
	make -s -C "$TOP" install DESTDIR="$stage" PREFIX=/opt/cmdr BUILD="$BUILD" >"$WORK/make.log" 2>&1 ||
		{ sed 's/^/#   /' "$WORK/make.log"; return 1; }
	for f in bin/cmdr share/man/man1/cmdr.1 share/cmdr/drills/friday-1714.json share/cmdr/drills/README.md; do
		[ -f "$stage/opt/cmdr/$f" ] || { fail "missing $f"; return 1; }
	done
	[ -x "$stage/opt/cmdr/bin/cmdr" ] || { fail "cmdr is not executable"; return 1; }
	"$stage/opt/cmdr/bin/cmdr" --version | grep -q '^cmdr ' || { fail "installed cmdr does not run"; return 1; }
	make -s -C "$TOP" uninstall DESTDIR="$stage" PREFIX=/opt/cmdr BUILD="$BUILD" >"$WORK/make.log" 2>&1 || return 1
	left=$(find "$stage" -type f | head -3)
	[ -z "$left" ] || fail "left behind: $left"
}
ok "make install and make uninstall honour PREFIX and DESTDIR" install_and_uninstall

drill_by_name() {
	(cd "$TOP" && "$CMDR" drill friday-1714 --headless --until 17:03:00 -i "$(newdir)") >"$WORK/s.json" &&
	expect_eq scenario "$(jq -r .drill.scenario "$WORK/s.json")" friday-1714 || return 1
	(cd "$WORK" && "$CMDR" drill no-such-drill --headless -i "$(newdir)") 2>"$WORK/err" >/dev/null
	[ $? -eq 1 ] && grep -q "no-such-drill" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "a drill named without a path is found in ./drills" drill_by_name

ok "no sanitizer reports" sanitizer_clean
