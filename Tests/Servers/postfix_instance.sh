#!/bin/sh
# A private Postfix instance on 127.0.0.1 for the end-to-end bounce tests: its own
# config_directory and queue_directory under DIR, loopback and IPv4 only, no DNS, its log in
# DIR/maillog. Mail for example.net goes to the SMTP server on 127.0.0.1:RELAY_PORT (the test
# makes that server refuse the recipient, so Postfix writes a real DSN); mail for the bounce
# domain bounce.outbox.test is delivered either into a Maildir (virtual mailbox domain) or to
# a pipe command (master.cf `pipe` transport). Needs root (Postfix's master runs as root).
#
# Usage:
#   postfix_instance.sh start DIR RELAY_PORT maildir BASE MAILBOX UID GID
#       bounce.outbox.test is a virtual mailbox domain; every address is delivered into the
#       Maildir BASE/MAILBOX/ as UID:GID.
#   postfix_instance.sh start DIR RELAY_PORT pipe USER COMMAND [ARG...]
#       bounce.outbox.test goes to a `pipe` transport running COMMAND ARG... as USER with the
#       message on stdin (flags=Rq; exit 75 defers, other non-zero exits bounce).
#   postfix_instance.sh flush DIR        postqueue -f
#   postfix_instance.sh stop DIR         postfix stop (then abort if it does not stop)
# `start` picks a free loopback port for smtpd, starts Postfix and prints
# "READY smtp=PORT" once smtpd accepts connections; then it exits (Postfix runs on).
set -eu
action=$1; dir=$2
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

case $action in
stop)
    [ -f "$dir/etc/main.cf" ] || exit 0
    postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
    # A master that does not stop within 10 s is aborted (stop waits only for the master).
    pid=$(cat "$dir/queue/pid/master.pid" 2>/dev/null | tr -d ' ' || true)
    for _ in $(seq 1 100); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || exit 0
        sleep 0.1
    done
    postfix -c "$dir/etc" abort >/dev/null 2>&1 || true
    kill -9 "$pid" 2>/dev/null || true
    exit 0 ;;
flush)
    exec postqueue -c "$dir/etc" -f ;;
start) ;;
*) echo "usage: $0 start|stop|flush DIR ..." >&2; exit 64 ;;
esac

relay_port=$3; mode=$4; shift 4
[ "$(id -u)" = 0 ] || { echo "a private Postfix needs root (its master runs as root)" >&2; exit 77; }
if ! command -v postfix >/dev/null; then
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y postfix >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postfix >&2; }
fi
command -v postfix >/dev/null || { echo "postfix is not installed (apt-get install postfix)" >&2; exit 69; }

mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
chmod 755 "$dir"
chown postfix "$dir/data"; chmod 700 "$dir/data"
port=$(python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

case $mode in
maildir)
    base=$1; mailbox=$2; uid=$3; gid=$4
    bounce_routing="virtual_mailbox_domains = bounce.outbox.test
virtual_mailbox_base = $base
virtual_mailbox_maps = inline:{ @bounce.outbox.test=$mailbox/ }
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_minimum_uid = 1
transport_maps = inline:{ example.net=smtp:[127.0.0.1]:$relay_port }"
    pipe_service="" ;;
pipe)
    user=$1; shift
    bounce_routing="relay_domains = bounce.outbox.test
transport_maps = inline:{ example.net=smtp:[127.0.0.1]:$relay_port, bounce.outbox.test=outbox: }
outbox_destination_recipient_limit = 1"
    pipe_service="outbox    unix  -       n       n       -       -       pipe
  flags=Rq user=$user argv=$*" ;;
*) echo "unknown mode $mode (maildir or pipe)" >&2; exit 64 ;;
esac

cat > "$dir/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
myhostname = mx.outbox.test
mydomain = outbox.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_connect_timeout = 5s
notify_classes =
biff = no
$bounce_routing
CONF

# No chroot (the queue directory has no copy of /etc), no unneeded services.
cat > "$dir/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
$pipe_service
CONF

# `postfix start` runs `postfix check`, which creates the queue directories with their owners
# (postfix, group postdrop); its warnings go to DIR/maillog (on a terminal only otherwise).
postfix -c "$dir/etc" start >"$dir/start.log" 2>&1 || { cat "$dir/start.log" "$dir/maillog" >&2 2>/dev/null; exit 70; }
for _ in $(seq 1 100); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2).close()" 2>/dev/null; then
        echo "READY smtp=$port"
        exit 0
    fi
    sleep 0.1
done
cat "$dir/start.log" "$dir/maillog" >&2 2>/dev/null
postfix -c "$dir/etc" abort >/dev/null 2>&1 || true
exit 70
