#!/usr/bin/env bash
# Builds Outbox in release mode and installs the binary, the systemd unit, the sysusers.d and
# tmpfiles.d entries and (only if absent) /etc/outbox/outbox.conf. Starts nothing.
#
#   deploy/install.sh [--prefix /usr/local] [--destdir DIR] [--binary PATH]
#
# --destdir stages everything under DIR (for packaging; works as a non-root user). Without it
# the unit goes to /etc/systemd/system; with it, to DIR$prefix/lib/systemd/system.
# --binary installs an already built outbox instead of running swift build -c release.
set -euo pipefail

prefix=/usr/local
destdir=
binary=
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --binary) binary=${2:?--binary needs a file}; shift 2 ;;
        --binary=*) binary=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $prefix == /* ]] || { echo "install.sh: --prefix must be absolute" >&2; exit 2; }
if [[ -z $destdir && $(id -u) -ne 0 ]]; then
    echo "install.sh: installing into the system needs root; use --destdir DIR to stage as $(id -un)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deploy=$repo/deploy
if [[ -z $binary ]]; then
    echo "building: swift build -c release --product outbox"
    (cd "$repo" && swift build -c release --product outbox)
    binary=$(cd "$repo" && swift build -c release --show-bin-path)/outbox
fi
[[ -x $binary ]] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

if [[ -n $destdir ]]; then unitdir=$prefix/lib/systemd/system; else unitdir=/etc/systemd/system; fi
sysusersdir=$prefix/lib/sysusers.d
tmpfilesdir=$prefix/lib/tmpfiles.d
[[ $prefix == /usr ]] || { sysusersdir=/etc/sysusers.d; tmpfilesdir=/etc/tmpfiles.d; }
# systemd reads sysusers.d/tmpfiles.d only from /usr/lib, /etc and /run; a /usr/local prefix uses /etc.

put() { # mode source target
    install -D -m "$1" "$2" "$destdir$3"
    echo "installed $3 (mode $1)"
}
put 0755 "$binary" "$prefix/bin/outbox"
sed "s#^ExecStart=/usr/local/bin/outbox #ExecStart=$prefix/bin/outbox #" "$deploy/outbox.service" > "${TMPDIR:-/tmp}/outbox.service.$$"
put 0644 "${TMPDIR:-/tmp}/outbox.service.$$" "$unitdir/outbox.service"
rm -f "${TMPDIR:-/tmp}/outbox.service.$$"
put 0644 "$deploy/outbox.sysusers" "$sysusersdir/outbox.conf"
put 0644 "$deploy/outbox.tmpfiles" "$tmpfilesdir/outbox.conf"
put 0644 "$deploy/outbox.conf.example" "$prefix/share/doc/outbox/outbox.conf.example"
if [[ -e $destdir/etc/outbox/outbox.conf ]]; then
    echo "kept existing /etc/outbox/outbox.conf"
else
    put 0644 "$deploy/outbox.conf.example" /etc/outbox/outbox.conf
fi
install -d -m 0700 "$destdir/etc/credstore"
echo "created /etc/credstore (mode 0700)"

if [[ -z $destdir && ! -x /bin/kill ]]; then
    echo "install.sh: warning: /bin/kill is missing (package procps); systemctl reload outbox needs it" >&2
fi
if [[ -z $destdir ]]; then
    cat <<NEXT
next steps (nothing was started):
  systemd-sysusers && systemd-tmpfiles --create $tmpfilesdir/outbox.conf
  install -m 0600 /dev/stdin /etc/credstore/relay-password   # only if [relay] authenticates
  edit /etc/outbox/outbox.conf, then: systemctl daemon-reload && systemctl enable --now outbox
  operators: usermod -aG outbox NAME
NEXT
fi
