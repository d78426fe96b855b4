#!/bin/sh
# A private Dovecot (IMAP + POP3, no TLS) on 127.0.0.1 for the bounce mailbox tests.
# Usage: dovecot_server.sh DIR USER PASSWORD [TOKENINFO_URL]
# With TOKENINFO_URL (e.g. http://127.0.0.1:PORT/tokeninfo?access_token=), the user may
# also log in with XOAUTH2 or OAUTHBEARER: Dovecot's oauth2 passdb asks that URL, with the
# bearer token appended, whether the token is valid and whose it is.
# Writes DIR/dovecot.conf, a passwd-file user and a Maildir under DIR/mail, picks two
# free loopback ports, prints "READY imap=PORT pop3=PORT" once both accept connections,
# then runs dovecot in the foreground until killed (SIGTERM).
set -eu
dir=$1; user=$2; password=$3; tokeninfo=${4:-}
if ! command -v dovecot >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd dovecot-pop3d >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd dovecot-pop3d >&2; }
fi
command -v dovecot >/dev/null || { echo "dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)" >&2; exit 69; }
mkdir -p "$dir/run" "$dir/state" "$dir/mail/$user/cur" "$dir/mail/$user/new" "$dir/mail/$user/tmp"
chmod 755 "$dir"
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
imap=${ports% *}; pop3=${ports#* }
if [ "$(id -u)" = 0 ]; then
    mail_uid=$(id -u nobody); mail_gid=$(id -g nobody); login_user=dovenull; internal_user=dovecot
else
    mail_uid=$(id -u); mail_gid=$(id -g); login_user=$(id -un); internal_user=$(id -un)
fi
chown -R "$mail_uid:$mail_gid" "$dir/mail"
printf '%s:{PLAIN}%s\n' "$user" "$password" > "$dir/passwd"
cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
instance_name = outbox-test-$imap
log_path = $dir/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${tokeninfo:+ xoauth2 oauthbearer}
default_login_user = $login_user
default_internal_user = $internal_user
mail_location = maildir:$dir/mail/%u
first_valid_uid = 1
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3
  }
  inet_listener pop3s {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
if [ -n "$tokeninfo" ]; then
    cat > "$dir/oauth2.conf.ext" <<OAUTH
tokeninfo_url = $tokeninfo
introspection_mode = auth
username_attribute = username
active_attribute = active
active_value = true
OAUTH
    cat >> "$dir/dovecot.conf" <<CONF
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/oauth2.conf.ext
}
CONF
fi
dovecot -F -c "$dir/dovecot.conf" &
child=$!
trap 'kill $child 2>/dev/null; wait $child 2>/dev/null; exit 0' TERM INT
for _ in $(seq 1 100); do
    if python3 -c "import socket,sys
for p in ($imap,$pop3): socket.create_connection(('127.0.0.1',p),0.2).close()" 2>/dev/null; then
        echo "READY imap=$imap pop3=$pop3"
        break
    fi
    kill -0 $child 2>/dev/null || { cat "$dir/dovecot.log" >&2 2>/dev/null; exit 70; }
    sleep 0.1
done
wait $child
