#!/bin/sh
# mkcerts.sh DIR: the test PKI, made once with the openssl CLI.
#
# Idempotent: when DIR/.mkcerts-v1 exists nothing is done. The set is built
# in a private folder and renamed into place, so concurrent callers (unit
# tests, the fake API server) never see half a set. DIR must not exist or
# be empty. Every key is unencrypted. Names are stable; others rely on them:
#
#   ca.crt ca.key               EC P-256 CA "xc-test-ca" (signs everything below
#                               unless noted)
#   ca-rsa.crt ca-rsa.key       RSA-2048 CA "xc-test-ca-rsa"
#   ca-bundle.crt               ca.crt followed by ca-rsa.crt
#   other-ca.crt other-ca.key   an unrelated EC CA "xc-other-ca"
#   inter.crt inter.key         EC intermediate CA signed by ca
#
#   server.crt server.key       EC; DNS localhost, kubernetes, kubernetes.default,
#                               kubernetes.default.svc,
#                               kubernetes.default.svc.cluster.local;
#                               IP 127.0.0.1, ::1
#   server-rsa.crt .key         RSA key, same names, signed by ca-rsa
#   server-inter.crt .key       same names, signed by inter;
#   server-inter-chain.crt      server-inter.crt followed by inter.crt
#   ip-only.crt ip-only.key     IP 127.0.0.1 and nothing else
#   wildcard.crt wildcard.key   DNS *.example.test and f*.partial.test (the
#                               second is a partial-label wildcard to refuse)
#   other.crt other.key         same names as server.crt, signed by other-ca
#   expired.crt expired.key     same names, valid 2020-01-01 to 2020-01-02
#   future.crt future.key       same names, valid from 2090-01-01
#
#   client-ec.crt               client cert CN=xc-test-client, O=system:masters
#   client-ec.key               its EC key, SEC1 ("EC PRIVATE KEY")
#   client-ec-pkcs8.key         the same key, PKCS#8 ("PRIVATE KEY")
#   client-rsa.crt              client cert CN=xc-test-client-rsa, O=system:masters
#   client-rsa.key              its RSA key, PKCS#1 ("RSA PRIVATE KEY")
#   client-rsa-pkcs8.key        the same key, PKCS#8 ("PRIVATE KEY")
#   client-other.crt .key       client cert signed by other-ca (to be refused)
set -eu
dir=${1:?usage: mkcerts.sh DIR}
stamp=.mkcerts-v1
[ -f "$dir/$stamp" ] && exit 0
command -v openssl >/dev/null || { echo "mkcerts: openssl not found" >&2; exit 1; }

parent=$(dirname "$dir")
mkdir -p "$parent"
t=$(mktemp -d "$parent/.mkcerts.XXXXXX")
trap 'rm -rf "$t"' EXIT
cd "$t"

cat > ext.cnf <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @names
[names]
DNS.1 = localhost
DNS.2 = kubernetes
DNS.3 = kubernetes.default
DNS.4 = kubernetes.default.svc
DNS.5 = kubernetes.default.svc.cluster.local
IP.1 = 127.0.0.1
IP.2 = ::1
[iponly]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[wildcard]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.example.test, DNS:f*.partial.test
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
EOF

# `openssl ca` is the one subcommand of OpenSSL 3.0 that takes explicit
# start and end dates, which expired and not-yet-valid certificates need.
mkdir newcerts
: > index.txt
echo 1000 > serial
cat > ca.cnf <<EOF
[ca]
default_ca = d
[d]
database = $t/index.txt
new_certs_dir = $t/newcerts
serial = $t/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
organizationName = optional
EOF

eckey() { openssl ecparam -name prime256v1 -genkey -noout -out "$1"; }
rsakey() { openssl genrsa -traditional -out "$1" 2048 2>/dev/null; }

selfca() { # NAME CN KEYKIND
	"$3" "$1.key"
	openssl req -new -x509 -config ext.cnf -extensions ca -key "$1.key" \
		-subj "/CN=$2" -days 3650 -sha256 -out "$1.crt"
}

sign() { # NAME SUBJECT SECTION ISSUER KEYKIND
	[ -f "$1.key" ] || "$5" "$1.key"
	openssl req -new -config ext.cnf -key "$1.key" -subj "$2" -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -days 3650 \
		-set_serial "0x$(openssl rand -hex 8)" -sha256 \
		-extfile ext.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
}

dated() { # NAME START END (for certificates outside their validity period)
	eckey "$1.key"
	openssl req -new -config ext.cnf -key "$1.key" -subj "/CN=$1" -out "$1.csr"
	openssl ca -batch -notext -config ca.cnf -cert ca.crt -keyfile ca.key \
		-startdate "$2" -enddate "$3" -extfile ext.cnf -extensions server \
		-in "$1.csr" -out "$1.crt" 2>/dev/null
}

selfca ca xc-test-ca eckey
selfca ca-rsa xc-test-ca-rsa rsakey
selfca other-ca xc-other-ca eckey
cat ca.crt ca-rsa.crt > ca-bundle.crt
sign inter /CN=xc-test-inter inter ca eckey

sign server /CN=xc-test-server server ca eckey
sign server-rsa /CN=xc-test-server-rsa server ca-rsa rsakey
sign server-inter /CN=xc-test-server-inter server inter eckey
cat server-inter.crt inter.crt > server-inter-chain.crt
sign ip-only /CN=xc-test-ip-only iponly ca eckey
sign wildcard /CN=xc-test-wildcard wildcard ca eckey
sign other /CN=xc-test-other server other-ca eckey
dated expired 20200101000000Z 20200102000000Z
dated future 20900101000000Z 20910101000000Z

sign client-ec "/O=system:masters/CN=xc-test-client" client ca eckey
openssl pkcs8 -topk8 -nocrypt -in client-ec.key -out client-ec-pkcs8.key
sign client-rsa "/O=system:masters/CN=xc-test-client-rsa" client ca rsakey
openssl pkcs8 -topk8 -nocrypt -in client-rsa.key -out client-rsa-pkcs8.key
sign client-other "/O=system:masters/CN=xc-test-client-other" client other-ca eckey

rm -rf ./*.csr ./*.cnf newcerts index.txt* serial*
touch "$stamp"
cd - >/dev/null
# Whoever renames first wins; a loser's set is dropped by the trap.
if ! mv -T "$t" "$dir" 2>/dev/null; then
	[ -f "$dir/$stamp" ] || { echo "mkcerts: $dir exists and is not a finished set" >&2; exit 1; }
fi
