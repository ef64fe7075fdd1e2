# Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
# Shared by scripts/demo and scripts/check: Debian packages and the
# build.  Sourced, not run.

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${MCP_OAUTH_BUILD_DIR:-$top/build}

# Build and run-time dependencies, as Debian 12 packages.
build_packages="autoconf automake autoconf-archive pkg-config make gcc
	libfcgi-dev libjson-c-dev libssl-dev liblmdb-dev lmdb-utils
	libcurl4-openssl-dev
	libcriterion-dev"
server_packages="lighttpd lighttpd-mod-openssl openssl curl"
# Apache httpd with mod_ssl and mod_cgid (apache2) and mod_fcgid.
apache_packages="apache2 libapache2-mod-fcgid"

say() {
	printf '==> %s\n' "$*"
}

die() {
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

# install_packages PKG...: apt-get installs those not yet installed.
install_packages() {
	missing=
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q '^install ok installed$'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	command -v apt-get >/dev/null 2>&1 ||
		die "missing packages:$missing (and no apt-get to install them)"
	sudo=
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			die "missing packages:$missing: run as root or install sudo"
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! $sudo apt-get install -y -q --no-install-recommends $missing \
	    >/dev/null; then
		$sudo apt-get update -q >/dev/null
		$sudo apt-get install -y -q --no-install-recommends $missing \
		    >/dev/null || die "apt-get install$missing failed"
	fi
}

# build [CONFIGURE-ARGS...]: configures (once) and makes the tree in
# $build_dir, out of the source tree.
build() {
	if [ ! -x "$top/configure" ] ||
	    [ "$top/configure.ac" -nt "$top/configure" ]; then
		say "autoreconf"
		(cd "$top" && autoreconf -fi) >/dev/null 2>&1 ||
			(cd "$top" && autoreconf -fi)
	fi
	mkdir -p "$build_dir"
	if [ ! -f "$build_dir/Makefile" ] ||
	    [ "$top/configure" -nt "$build_dir/Makefile" ]; then
		say "configure ($build_dir)"
		(cd "$build_dir" && "$top/configure" -q "$@") ||
			die "configure failed"
	fi
	say "make"
	make -s -C "$build_dir" -j"$(nproc)" >/dev/null ||
		make -C "$build_dir" || die "make failed"
}
