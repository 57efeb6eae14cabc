#!/usr/bin/env bash
# Makes a development CA and one certificate per node for event-bus TLS (mutual TLS between nodes).
#   scripts/dev-certs.sh DIR HOST [HOST ...]
# writes DIR/ca.pem, DIR/ca.key and for each HOST DIR/HOST.pem + DIR/HOST.key (PKCS#8), valid 365 days,
# with the host as a subjectAltName (IP or DNS). Start each node with
#   --tls-ca DIR/ca.pem --tls-cert DIR/HOST.pem --tls-key DIR/HOST.key
# For development only: keep ca.key off the nodes, and use your own PKI in production.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: scripts/dev-certs.sh DIR HOST [HOST ...]" >&2; exit 2; }
dir="$1"; shift
mkdir -p "$dir"
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=disruptor development CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
fi
for host in "$@"; do
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then san="IP:$host"; else san="DNS:$host"; fi
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$host" -keyout "$dir/$host.key.tmp" -out "$dir/$host.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$host.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 365 \
    -extfile <(printf "subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n" "$san") -out "$dir/$host.pem" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$dir/$host.key.tmp" -out "$dir/$host.key"
  rm -f "$dir/$host.key.tmp" "$dir/$host.csr"
  echo "$dir/$host.pem"
done
