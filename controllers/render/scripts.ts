/**
 * Scripts run by the one-shot Jobs. Each is passed as one exec-form argument
 * (`python -c <script>` / `bash -c <script> <name> <args...>`): values come in
 * as positional arguments or env vars, never spliced into the script text.
 */

/** Where the configure Job mounts the `<fd>-config` Secret. */
export const CONFIG_MOUNT = "/etc/frappe-op";

/**
 * configure: merges the operator's common_site_config.json into the one on
 * the sites volume (operator keys win, others are kept), adds the password
 * of an external Redis from env, writes atomically, then writes apps.txt
 * from the apps in the image (as frappe_docker's `ls -1 apps`).
 */
export const CONFIGURE_SCRIPT = `
import json, os, urllib.parse
src = "${CONFIG_MOUNT}/common_site_config.json"
dst = "sites/common_site_config.json"
with open(src) as f:
    cfg = json.load(f)
try:
    with open(dst) as f:
        cur = json.load(f)
except FileNotFoundError:
    cur = {}
for key, env in (("redis_queue", "REDIS_QUEUE_PASSWORD"), ("redis_cache", "REDIS_CACHE_PASSWORD")):
    pw = os.environ.get(env)
    if pw:
        u = urllib.parse.urlsplit(cfg[key])
        netloc = ":" + urllib.parse.quote(pw, safe="") + "@" + u.netloc.rsplit("@", 1)[-1]
        cfg[key] = urllib.parse.urlunsplit(u._replace(netloc=netloc))
if "redis_socketio" in cfg:
    cfg["redis_socketio"] = cfg["redis_queue"]
cur.update(cfg)
with open(dst + ".tmp", "w") as f:
    json.dump(cur, f, indent=1)
os.replace(dst + ".tmp", dst)
apps = sorted(a for a in os.listdir("apps") if os.path.isdir(os.path.join("apps", a)))
with open("sites/apps.txt.tmp", "w") as f:
    f.write("\\n".join(apps) + "\\n")
os.replace("sites/apps.txt.tmp", "sites/apps.txt")
print("common_site_config.json and apps.txt written")
`.trimStart();

/**
 * new-site: `$1` is the site, `$2...` the apps, `$SCOPE_FLAG` the version's
 * host-scope option. Idempotent: an existing site only gets missing apps
 * (`bench install-app` skips an installed app).
 */
export const NEW_SITE_SCRIPT = `
set -euo pipefail
site="$1"; shift
if [ -f "sites/$site/site_config.json" ]; then
  echo "site $site exists; ensuring apps: $*"
  for app in "$@"; do bench --site "$site" install-app "$app"; done
  exit 0
fi
install=()
for app in "$@"; do install+=(--install-app "$app"); done
bench new-site "$site" "$SCOPE_FLAG" \\
  --db-root-username "$DB_ROOT_USERNAME" --db-root-password "$DB_ROOT_PASSWORD" \\
  --admin-password "$ADMIN_PASSWORD" "\${install[@]}"
`.trimStart();

/**
 * migrate: maintenance mode and paused scheduler around `bench --site all
 * migrate`, restored on every exit. The script is PID 1 of its container.
 * With only an EXIT trap, bash (5.2) does catch the pod's SIGTERM, but runs
 * the trap at once while migrate keeps running: maintenance mode would be
 * switched off under a running migration, which the kernel kills only when
 * PID 1 exits. So TERM/INT get their own trap from the first line, migrate
 * runs in the background while the script `wait`s, and the trap stops
 * migrate (`bench` execs Frappe's Python, so the TERM reaches it), waits for
 * it, then restores both flags and exits 143.
 */
export const MIGRATE_SCRIPT = `
set -euo pipefail
child=""
stop() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" || true; fi
  exit 143
}
trap stop TERM INT
restore() {
  trap "" TERM INT
  bench --site all set-config -p maintenance_mode 0
  bench --site all set-config -p pause_scheduler 0
}
trap restore EXIT
bench --site all set-config -p maintenance_mode 1
bench --site all set-config -p pause_scheduler 1
bench --site all migrate &
child=$!
wait "$child"
`.trimStart();
