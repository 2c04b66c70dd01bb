#!/bin/sh
# update.sh re-fetches the npm files listed in packages.txt into npm/ and
# writes npm.sum: each package with the integrity of its tarball, each file
# kept with its SHA-256 (as a subresource-integrity hash).
#
# Each tarball comes from "npm pack" and must have the integrity the npm
# registry records for it ("npm view PACKAGE@VERSION dist.integrity") and,
# when npm.sum already lists that version, the integrity recorded there.
# Files are copied byte for byte, with the package's licence file(s) and its
# package.json beside them.
#
# Needs npm, tar and openssl. Run from anywhere: ./update.sh
set -eu
cd "$(dirname "$0")"

fail() { echo "update.sh: $*" >&2; exit 1; }
for tool in npm tar openssl; do
	command -v "$tool" >/dev/null || fail "needs $tool"
done

# sri ALGORITHM FILE prints the file's hash as ALGORITHM-BASE64.
sri() { echo "$1-$(openssl dgst "-$1" -binary "$2" | openssl base64 -A)"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" npm.new' EXIT
mkdir npm.new
: >"$tmp/sum"

# A line ending in \ goes on on the next one.
sed -e ':a' -e '/\\$/{N' -e 's/\\\n/ /' -e 'ba' -e '}' packages.txt |
	grep -v -e '^#' -e '^[[:space:]]*$' >"$tmp/list" || fail "packages.txt lists no package"
while read -r spec files; do
	case $spec in
	?*@[0-9]*) ;;
	*) fail "packages.txt: $spec is not PACKAGE@VERSION" ;;
	esac
	[ -n "$files" ] || fail "packages.txt: $spec lists no file"

	registry=$(npm view "$spec" dist.integrity) || fail "$spec: npm view failed"
	[ -n "$registry" ] || fail "$spec: the registry records no integrity"
	recorded=$(awk -v s="$spec" '$1 == "tarball" && $2 == s { print $3 }' npm.sum 2>/dev/null || true)
	if [ -n "$recorded" ] && [ "$recorded" != "$registry" ]; then
		fail "$spec: the registry now says $registry, npm.sum recorded $recorded"
	fi

	work="$tmp/$(echo "$spec" | tr '/@' '__')"
	mkdir "$work"
	tgz=$(cd "$work" && npm pack --silent "$spec") || fail "$spec: npm pack failed"
	got=$(sri sha512 "$work/$tgz")
	[ "$got" = "$registry" ] || fail "$spec: the tarball's integrity is $got, the registry says $registry"
	tar -xzf "$work/$tgz" -C "$work"
	[ -d "$work/package" ] || fail "$spec: the tarball has no package/ folder"

	licences=$(cd "$work/package" && ls | grep -i -E '^licen[cs]e' || true)
	[ -n "$licences" ] || echo "update.sh: $spec ships no licence file; its package.json names its licence" >&2
	echo "tarball $spec $registry" >>"$tmp/sum"
	for f in $(printf '%s\n' $files $licences package.json | sort -u); do
		[ -f "$work/package/$f" ] || fail "$spec has no $f"
		mkdir -p "$(dirname "npm.new/$spec/$f")"
		cp "$work/package/$f" "npm.new/$spec/$f"
		chmod 644 "npm.new/$spec/$f"
		echo "file $spec/$f $(sri sha256 "npm.new/$spec/$f")" >>"$tmp/sum"
	done
	echo "$spec: $registry"
done <"$tmp/list"

{
	echo "# Written by update.sh from packages.txt; do not edit."
	echo "# tarball PACKAGE@VERSION INTEGRITY (as the npm registry records it)"
	echo "# file PACKAGE@VERSION/FILE SHA-256 (as a subresource-integrity hash)"
	cat "$tmp/sum"
} >npm.sum.new
rm -rf npm
mv npm.new npm
mv npm.sum.new npm.sum
