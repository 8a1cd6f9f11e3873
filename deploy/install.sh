#!/usr/bin/env bash
# Install openCSC on a fresh Debian 12 machine: PostgreSQL, nginx (TLS), the app under gunicorn as a
# systemd service with its own unprivileged user, the scheduled-job timers, nightly base backups with
# WAL archiving, and secrets in files kept apart from the database and its backups.
#
#   sudo deploy/install.sh --server-name csc.example.gov.uk [--tls-cert FILE --tls-key FILE]
#   deploy/install.sh --dry-run --prefix /tmp/opencsc-root [--smoke]
#
# --dry-run renders every file into --prefix instead of /, touches nothing else (no packages, users,
# services or PostgreSQL), and checks what it rendered: `nginx -t`, `systemd-analyze verify`, and
# `manage.py check --deploy` with the rendered environment and secret files. --smoke also starts the
# rendered stack on loopback (gunicorn on a SQLite file, nginx with a throwaway certificate) and asks
# /healthz, /readyz and a static file through TLS, then stops both. Re-running the installer upgrades
# in place (docs/operations.md, "Upgrades"). The full procedure is in docs/operations.md.
set -euo pipefail

SOURCE=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=""
DRY_RUN=0
SMOKE=0
SERVER_NAME=$(hostname -f 2>/dev/null || hostname)
TLS_CERT=""
TLS_KEY=""
WORKERS=$(( $(nproc) * 2 + 1 ))
KEEP_BACKUPS=7
USER_NAME=opencsc
BIND=127.0.0.1:8000

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --server-name) SERVER_NAME=$2; shift 2 ;;
    --tls-cert) TLS_CERT=$2; shift 2 ;;
    --tls-key) TLS_KEY=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --keep-backups) KEEP_BACKUPS=$2; shift 2 ;;
    --prefix) PREFIX=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --smoke) SMOKE=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option $1" >&2; usage 2 ;;
  esac
done
if [ "$DRY_RUN" = 1 ] && [ -z "$PREFIX" ]; then echo "--dry-run needs --prefix DIR" >&2; exit 2; fi
if [ "$DRY_RUN" = 0 ] && [ -n "$PREFIX" ]; then echo "--prefix is for --dry-run only" >&2; exit 2; fi
if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then echo "run as root (sudo), or use --dry-run" >&2; exit 2; fi

ETC=$PREFIX/etc/opencsc
STATE=$PREFIX/var/lib/opencsc
OPT=$PREFIX/opt/opencsc
APP=$OPT/app
BIN=$PREFIX/usr/local/sbin
BACKUP=$PREFIX/var/backups/opencsc
UNITS=$PREFIX/etc/systemd/system
NGINX_SITE=$PREFIX/etc/nginx/sites-available/opencsc
NGINX_PROXY_PARAMS=$PREFIX/etc/nginx/snippets/opencsc-proxy.conf
NGINX_LOG=$PREFIX/var/log/nginx
HTTP_LISTEN=80
HTTPS_LISTEN=443
DATABASE_URL="postgres://$USER_NAME@%2Frun%2Fpostgresql/opencsc"  # local socket, peer authentication: no password

say() { printf '== %s\n' "$*"; }
run() { if [ "$DRY_RUN" = 1 ]; then printf '   (dry run, not done) %s\n' "$*"; else "$@"; fi; }

# --- 1. Debian packages ------------------------------------------------------------------------
say "Debian packages"
run apt-get update -qq
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  postgresql nginx python3 python3-venv nodejs npm make git ssl-cert ca-certificates curl e2fsprogs

# --- 2. The service's user and directories -----------------------------------------------------
say "User $USER_NAME and directories"
if [ "$DRY_RUN" = 0 ] && ! id "$USER_NAME" >/dev/null 2>&1; then
  adduser --system --group --home "$STATE" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
fi
owned() {  # owned MODE OWNER:GROUP DIR...
  local mode=$1 owner=$2; shift 2
  mkdir -p "$@"; chmod "$mode" "$@"
  if [ "$DRY_RUN" = 0 ]; then chown "$owner" "$@"; fi
}
owned 0750 "root:$USER_NAME" "$ETC" "$ETC/secrets"
owned 0750 "$USER_NAME:$USER_NAME" "$STATE" "$STATE/returns" "$STATE/locks" "$STATE/cpis-outbox" "$STATE/anchors"
owned 0700 postgres:postgres "$BACKUP" "$BACKUP/base" "$BACKUP/wal"
ANCHORS=$STATE/anchors/audit-anchors.log
if [ "$DRY_RUN" = 0 ] && [ ! -e "$ANCHORS" ]; then  # append-only from the start: anchors added, never rewritten
  touch "$ANCHORS"; chown "$USER_NAME:$USER_NAME" "$ANCHORS"; chmod 0640 "$ANCHORS"
  chattr +a "$ANCHORS" 2>/dev/null || echo "   (chattr +a is not supported on this file system)"
fi
mkdir -p "$OPT/releases" "$BIN" "$UNITS" "$(dirname "$NGINX_SITE")" "$(dirname "$NGINX_PROXY_PARAMS")" "$NGINX_LOG"

# --- 3. Secrets: one file each, root:opencsc 0640, generated once, never in the database -------
say "Secrets in $ETC/secrets (back these up SEPARATELY from the database backups)"
secret() {  # secret NAME GENERATOR
  local file=$ETC/secrets/$1
  if [ ! -s "$file" ]; then
    (umask 027; "$2" > "$file")
    echo "   generated $1"
  fi
  chmod 0640 "$file"
  if [ "$DRY_RUN" = 0 ]; then chown "root:$USER_NAME" "$file"; fi
}
b64key() { python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())'; }
field_keys() { printf 'k%s:%s\n' "$(date -u +%Y%m%d)" "$(b64key)"; }
django_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(50))'; }
secret secret_key django_secret
secret field_keys field_keys
secret blind_index_key b64key
secret audit_hmac_key b64key

# --- 4. The release: code, virtual environment, built assets ------------------------------------
VERSION=$(git -C "$SOURCE" rev-parse --short=12 HEAD 2>/dev/null || date -u +%Y%m%d%H%M%S)
if [ "$DRY_RUN" = 1 ]; then
  say "Release: the checkout itself ($SOURCE), linked as $APP"
  ln -sfn "$SOURCE" "$APP"
  [ -x "$SOURCE/.venv/bin/python" ] || { echo "dry run needs the checkout's .venv: run make setup" >&2; exit 1; }
else
  RELEASE=$OPT/releases/$VERSION
  say "Release $VERSION into $RELEASE"
  if [ ! -f "$RELEASE/.complete" ]; then  # built in place (a venv cannot move), marked complete at the end
    rm -rf "$RELEASE"; mkdir -p "$RELEASE"
    git -C "$SOURCE" archive HEAD | tar -x -C "$RELEASE"
    python3 -m venv "$RELEASE/.venv"
    "$RELEASE/.venv/bin/pip" install --quiet --upgrade pip
    "$RELEASE/.venv/bin/pip" install --quiet -c "$RELEASE/requirements/constraints.txt" -e "$RELEASE[production]"
    make -C "$RELEASE" assets
    "$RELEASE/.venv/bin/python" -m compileall -q "$RELEASE/opencsc"  # the service cannot write .pyc
    touch "$RELEASE/.complete"
  fi
fi

# --- 5. Configuration files ----------------------------------------------------------------------
say "Configuration"
render() {  # render TEMPLATE TARGET
  sed -e "s|@SERVER_NAME@|$SERVER_NAME|g" -e "s|@ETC@|$ETC|g" -e "s|@STATE@|$STATE|g" -e "s|@APP@|$APP|g" \
      -e "s|@BIN@|$BIN|g" -e "s|@BACKUP@|$BACKUP|g" -e "s|@USER@|$USER_NAME|g" -e "s|@BIND@|$BIND|g" \
      -e "s|@WORKERS@|$WORKERS|g" -e "s|@KEEP_BACKUPS@|$KEEP_BACKUPS|g" -e "s|@DATABASE_URL@|$DATABASE_URL|g" \
      -e "s|@TLS_CERT@|$TLS_CERT|g" -e "s|@TLS_KEY@|$TLS_KEY|g" -e "s|@NGINX_LOG@|$NGINX_LOG|g" \
      -e "s|@NGINX_PROXY_PARAMS@|$NGINX_PROXY_PARAMS|g" -e "s|@HTTP_LISTEN@|$HTTP_LISTEN|g" \
      -e "s|@HTTPS_LISTEN@|$HTTPS_LISTEN|g" "$SOURCE/deploy/$1" > "$2"
}
if [ "$SMOKE" = 1 ]; then  # loopback ports, a SQLite file: nothing of the machine's own is used
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  BIND=127.0.0.1:$(free_port); HTTP_LISTEN=127.0.0.1:$(free_port); HTTPS_LISTEN=127.0.0.1:$(free_port)
  DATABASE_URL="sqlite:///$STATE/smoke.sqlite3"
fi
if [ -z "$TLS_CERT" ]; then
  # Until the council's certificate is installed: a self-signed one (replace it; see docs/operations.md).
  TLS_CERT=$ETC/tls/selfsigned.crt; TLS_KEY=$ETC/tls/selfsigned.key
  if [ ! -s "$TLS_CERT" ]; then
    mkdir -p "$ETC/tls"; chmod 0750 "$ETC/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$SERVER_NAME" \
      -keyout "$TLS_KEY" -out "$TLS_CERT" 2>/dev/null
    chmod 0600 "$TLS_KEY"
    echo "   self-signed certificate for $SERVER_NAME (30 days): install the real one with --tls-cert/--tls-key"
  fi
fi
render templates/opencsc.env "$ETC/opencsc.env"; chmod 0640 "$ETC/opencsc.env"
render templates/gunicorn.conf.py.in "$ETC/gunicorn.conf.py"
render templates/opencsc.service "$UNITS/opencsc.service"
render templates/opencsc-basebackup.service "$UNITS/opencsc-basebackup.service"
render templates/opencsc-basebackup.timer "$UNITS/opencsc-basebackup.timer"
render templates/nginx-opencsc.conf "$NGINX_SITE"
render templates/nginx-proxy-params.conf "$NGINX_PROXY_PARAMS"
render bin/opencsc-basebackup "$BIN/opencsc-basebackup"
render bin/opencsc-manage "$BIN/opencsc-manage"
chmod 0755 "$BIN/opencsc-basebackup" "$BIN/opencsc-manage"
if [ "$DRY_RUN" = 0 ]; then chown "root:$USER_NAME" "$ETC/opencsc.env"; fi

# The code being installed: the new release (the app link moves to it only once it is migrated).
CODE=$APP; [ "$DRY_RUN" = 1 ] || CODE=$RELEASE
# A command in the code's directory with the rendered environment and nothing else.
in_app() {
  env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent bash -c \
    'set -a; . "$1"; set +a; cd "$2"; shift 2; exec "$@"' in_app "$ETC/opencsc.env" "$CODE" "$@"
}
manage() {  # manage.py with the rendered environment, as the service user when installing for real
  if [ "$DRY_RUN" = 1 ]; then
    in_app "$CODE/.venv/bin/python" manage.py "$@"
  else
    runuser -u "$USER_NAME" -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 bash -c \
      'set -a; . "$1"; set +a; cd "$2"; shift 2; exec "$@"' manage "$ETC/opencsc.env" "$CODE" \
      "$CODE/.venv/bin/python" manage.py "$@"
  fi
}

# The scheduled jobs, from the registry in opencsc/ops/jobs.py.
# (The units name the stable app link, so they stay right across upgrades.)
in_app "$CODE/.venv/bin/python" manage.py jobs_schedule --systemd "$UNITS" --user "$USER_NAME" \
  --app-dir "$APP" --python "$APP/.venv/bin/python" --env-file "$ETC/opencsc.env" --state-dir "$STATE"
in_app "$CODE/.venv/bin/python" manage.py jobs_schedule --cron --user "$USER_NAME" --app-dir "$APP" \
  --python "$APP/.venv/bin/python" --env-file "$ETC/opencsc.env" --log-file "$STATE/jobs.log" \
  > "$ETC/cron.example"

# --- 6. PostgreSQL: role, database, WAL archiving --------------------------------------------
if [ "$DRY_RUN" = 0 ]; then
  say "PostgreSQL"
  PG_VERSION=$(ls /etc/postgresql | sort -n | tail -n 1)
  render templates/postgresql-opencsc.conf "/etc/postgresql/$PG_VERSION/main/conf.d/opencsc.conf"
  runuser -u postgres -- psql -XtAc "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME'" | grep -q 1 \
    || runuser -u postgres -- createuser "$USER_NAME"
  runuser -u postgres -- psql -XtAc "SELECT 1 FROM pg_database WHERE datname = 'opencsc'" | grep -q 1 \
    || runuser -u postgres -- createdb -O "$USER_NAME" -E UTF8 opencsc
  systemctl restart "postgresql@$PG_VERSION-main"
else
  render templates/postgresql-opencsc.conf "$ETC/postgresql-opencsc.conf.example"
fi

# --- 7. Migrate, collect static files, check -----------------------------------------------------
if [ "$DRY_RUN" = 0 ]; then
  say "Migrations (with the old release still serving: see docs/operations.md for the ones that need downtime)"
  manage migrate --noinput
  in_app "$CODE/.venv/bin/python" manage.py collectstatic --noinput -v 0  # as root: the release is root's
  ln -sfn "$RELEASE" "$APP.new" && mv -T "$APP.new" "$APP"  # switch atomically
fi
say "manage.py check --deploy"
manage check --deploy --fail-level WARNING

# --- 8. Services ---------------------------------------------------------------------------------
if [ "$DRY_RUN" = 0 ]; then
  say "Services"
  ln -sfn "$NGINX_SITE" /etc/nginx/sites-enabled/opencsc
  rm -f /etc/nginx/sites-enabled/default
  nginx -t
  systemctl daemon-reload
  systemctl enable opencsc.service opencsc-basebackup.timer
  systemctl start opencsc-basebackup.timer
  # A restart, not a reload: gunicorn's master keeps the release it started from (its venv and paths).
  systemctl restart opencsc.service
  systemctl enable --now opencsc-jobs.target $(cd "$UNITS" && ls opencsc-job-*.timer)
  systemctl reload nginx
  say "Checking https://$SERVER_NAME/healthz and /readyz on this machine"
  curl -fsS --resolve "$SERVER_NAME:443:127.0.0.1" -k "https://$SERVER_NAME/healthz"; echo
  curl -sS --resolve "$SERVER_NAME:443:127.0.0.1" -k "https://$SERVER_NAME/readyz"; echo
  say "Installed release $VERSION. Next: docs/operations.md (backups off the machine, the keys' safe copy)."
  exit 0
fi

# --- Dry run: check what was rendered -------------------------------------------------------------
say "Checking the rendered files"
if command -v nginx >/dev/null 2>&1; then
  mkdir -p "$PREFIX/run/nginx" "$PREFIX/var/lib/nginx"
  cat > "$PREFIX/etc/nginx/nginx.conf" <<EOF
pid $PREFIX/run/nginx/nginx.pid;
error_log $NGINX_LOG/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  client_body_temp_path $PREFIX/var/lib/nginx/body;
  proxy_temp_path $PREFIX/var/lib/nginx/proxy;
  fastcgi_temp_path $PREFIX/var/lib/nginx/fastcgi;
  uwsgi_temp_path $PREFIX/var/lib/nginx/uwsgi;
  scgi_temp_path $PREFIX/var/lib/nginx/scgi;
  include $NGINX_SITE;
}
EOF
  nginx -t -q -c "$PREFIX/etc/nginx/nginx.conf" -p "$PREFIX/" && echo "   nginx -t: the site configuration is valid"
else
  echo "   nginx is not installed here: configuration not checked"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
  # Units name the service user, which a dry run does not create: verify with the current user.
  VERIFY=$PREFIX/verify-units; mkdir -p "$VERIFY"
  for unit in "$UNITS"/opencsc*.service "$UNITS"/opencsc*.timer "$UNITS"/opencsc-jobs.target; do
    sed -e "s|^User=.*|User=$(id -un)|" -e "s|^Group=.*|Group=$(id -gn)|" "$unit" > "$VERIFY/$(basename "$unit")"
  done
  if out=$(cd "$VERIFY" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no --recursive-errors=no \
      ./*.service ./*.timer ./opencsc-jobs.target 2>&1 | grep -v -e 'postgresql.service' -e 'network-online' \
      -e 'timers.target' -e 'multi-user.target' -e 'Failed to connect' -e 'System has not been booted' -e '^$'); then
    [ -z "$out" ] || { echo "$out"; echo "   systemd-analyze verify: problems above" >&2; exit 1; }
  fi
  echo "   systemd-analyze verify: $(ls "$VERIFY" | wc -l) units valid"
else
  echo "   systemd-analyze is not installed here: units not checked"
fi
if [ "$SMOKE" = 1 ]; then
  say "Smoke test on loopback: gunicorn $BIND, nginx https://$HTTPS_LISTEN"
  manage migrate --noinput -v 0
  manage collectstatic --noinput -v 0
  in_app "$CODE/.venv/bin/gunicorn" --config "$ETC/gunicorn.conf.py" --workers 2 --pid "$PREFIX/run/gunicorn.pid" \
    opencsc.config.wsgi:application > "$PREFIX/gunicorn.log" 2>&1 &
  GUNICORN=$!
  nginx -c "$PREFIX/etc/nginx/nginx.conf" -p "$PREFIX/" -g 'daemon off; user root;' &
  NGINX=$!
  # in_app wraps gunicorn in a subshell: stop the master itself by its pid file, then the wrappers.
  trap 'kill "$(cat "$PREFIX/run/gunicorn.pid" 2>/dev/null)" $GUNICORN $NGINX 2>/dev/null; wait $GUNICORN $NGINX 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do curl -fsS -H "Host: $SERVER_NAME" "http://$BIND/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  HOST_PORT=${HTTPS_LISTEN##*:}
  get() { curl -sS -k -o "$PREFIX/smoke.out" -w '%{http_code}' --resolve "$SERVER_NAME:$HOST_PORT:127.0.0.1" "https://$SERVER_NAME:$HOST_PORT$1"; }
  HEALTH=$(get /healthz); READY=$(get /readyz); READY_BODY=$(cat "$PREFIX/smoke.out")
  CSS=$(get /static/css/opencsc.css)
  echo "   /healthz $HEALTH, /readyz $READY $READY_BODY, /static/css/opencsc.css $CSS"
  [ "$HEALTH" = 200 ] && [ "$READY" = 200 ] && [ "$CSS" = 200 ] || { echo "smoke test failed" >&2; cat "$PREFIX/gunicorn.log" >&2; exit 1; }
fi
say "Dry run complete: files rendered under $PREFIX"
