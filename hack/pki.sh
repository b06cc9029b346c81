#!/usr/bin/env bash
# Generates the local control plane's certificates and keys into $CLUSTER_DIR/pki
# (idempotent: an existing, complete pki directory is kept).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PKI="$CLUSTER_DIR/pki"
[[ -f "$PKI/.complete" ]] && exit 0
rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI"

ca() { # ca <name> <cn>
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$2" \
    -keyout "$1.key" -out "$1.crt" 2>/dev/null
}
cert() { # cert <name> <ca> <subject> <extendedKeyUsage> [subjectAltName]
  local name="$1" ca="$2" subj="$3" eku="$4" san="${5:-}"
  openssl req -newkey rsa:2048 -nodes -subj "$subj" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 3650 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

ca ca frappe-op-local-ca
ca front-proxy-ca frappe-op-local-front-proxy-ca
cert apiserver ca "/CN=kube-apiserver" serverAuth \
  "IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin ca "/O=system:masters/CN=kubernetes-admin" clientAuth
cert controller-manager ca "/CN=system:kube-controller-manager" clientAuth
cert scheduler ca "/CN=system:kube-scheduler" clientAuth
cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
touch .complete
log "certificates written to $PKI"
