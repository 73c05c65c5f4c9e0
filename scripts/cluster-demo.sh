#!/usr/bin/env bash
# A local cluster: Debian's etcd and three nodes on loopback ports, each with its own data
# directory under a temp dir, sharing a random secret (mode 600) for load-balanced connections.
# Ctrl+C stops everything and removes the temp dir.
set -euo pipefail
PY=${PY:-.venv/bin/python}
ETCD=${ETCD:-/usr/bin/etcd}
DIR=$(mktemp -d /tmp/nifi-like-cluster.XXXXXX)
ETCD_PORT=${ETCD_PORT:-23790}
PORTS=(${PORTS:-8081 8082 8083})
USER_NAME=admin
PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(12))')
pids=()
cleanup() {
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do  # the nodes first, etcd last
        kill "${pids[$i]}" 2>/dev/null || true
        wait "${pids[$i]}" 2>/dev/null || true
    done
    rm -rf "$DIR"
}
serving() {  # until the node's REST API answers (401 before login)
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "http://127.0.0.1:$1/nifi-api/flow/about" && return 0
        sleep 0.2
    done
    echo "a node did not start; see the logs in $DIR" >&2
    return 1
}
trap cleanup EXIT INT TERM

"$ETCD" --name demo --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "demo=http://127.0.0.1:$((ETCD_PORT + 1))" > "$DIR/etcd.log" 2>&1 &
pids+=($!)
sleep 1
(umask 077 && "$PY" -c 'import secrets; print(secrets.token_hex(32))' > "$DIR/cluster.secret")
printf '[cluster]\nsecret_file = "%s"\n' "$DIR/cluster.secret" > "$DIR/nifi_like.toml"
for i in 0 1 2; do
    node="node$((i + 1))"
    "$PY" -m nifi_like.cli set-single-user-credentials "$USER_NAME" "$PASSWORD" --data "$DIR/$node" > /dev/null
    flow=()
    if [ "$i" = 0 ]; then flow=(--flow conf/demo-flow.json); fi
    "$PY" -m nifi_like.cli run --data "$DIR/$node" --conf "$DIR/nifi_like.toml" --port "${PORTS[$i]}" --cluster "etcd://127.0.0.1:$ETCD_PORT" \
        --node-id "$node" --load-balance-port "$((6342 + i))" "${flow[@]}" > "$DIR/$node.log" 2>&1 &
    pids+=($!)
    if [ "$i" = 0 ]; then serving "${PORTS[0]}"; fi
done
serving "${PORTS[1]}" && serving "${PORTS[2]}"
echo "etcd:   etcd://127.0.0.1:$ETCD_PORT (data in $DIR)"
for i in 0 1 2; do echo "node$((i + 1)):  http://127.0.0.1:${PORTS[$i]}/nifi/   (log $DIR/node$((i + 1)).log)"; done
echo "login:  $USER_NAME / $PASSWORD"
echo "nodes:  curl -H \"Authorization: Bearer \$(curl -s -d username=$USER_NAME -d password=$PASSWORD http://127.0.0.1:${PORTS[0]}/nifi-api/access/token)\" http://127.0.0.1:${PORTS[0]}/nifi-api/controller/cluster"
echo "Ctrl+C stops the cluster."
wait
