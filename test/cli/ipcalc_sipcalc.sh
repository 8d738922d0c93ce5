#!/bin/sh
# ipcalc against Debian's sipcalc on 1000 random IPv4 and 1000 random IPv6
# prefixes (fixed seed): every field both tools print is one check.
#
# Known sipcalc behaviour allowed for, not counted as disagreement:
# - for 0.0.0.0/0 it prints 4294967295 addresses (one short of 2^32);
# - it prints no usable range for /31 and /32, where ours is the whole
#   prefix (RFC 3021); there the check is that sipcalc indeed prints none.
# sipcalc gives no IPv6 address count; 2^(128-len) is checked instead.
. "$(dirname "$0")/../lib/t.sh"

for tool in sipcalc python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "$tool not installed (vendor/deps.sh test)"
		t_done
		exit
	fi
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Random prefixes in assorted spellings; zero groups are made common so
# that compression, ties and the ends get exercised.
python3 - "$dir" <<'EOF'
import ipaddress, random, sys
r = random.Random(20261128)
d = sys.argv[1]
with open(d + "/in4", "w") as f:
    for i in range(1000):
        n = r.getrandbits(32) if i % 5 else r.getrandbits(8) << 24 * r.randrange(2)
        f.write("%s/%d\n" % (ipaddress.IPv4Address(n), r.randrange(33)))
with open(d + "/in6", "w") as f:
    for i in range(1000):
        g = [0 if r.random() < 0.4 else r.choice((r.getrandbits(16), r.getrandbits(4)))
             for _ in range(8)]
        a = ipaddress.IPv6Address(sum(v << 16 * (7 - k) for k, v in enumerate(g)))
        text = r.choice((a.compressed, a.exploded, a.exploded.upper(),
                         ":".join("%x" % v for v in g)))
        f.write("%s/%d\n" % (text, r.randrange(129)))
EOF

"$XC" ipcalc - < "$dir/in4" > "$dir/ours4" 2> "$dir/err4"
rc4=$?
"$XC" ipcalc - < "$dir/in6" > "$dir/ours6" 2> "$dir/err6"
rc6=$?
if [ $rc4 = 0 ] && [ $rc6 = 0 ]; then t_ok; else t_fail "ipcalc - exit $rc4/$rc6: $(head -3 "$dir/err4" "$dir/err6")"; fi
# shellcheck disable=SC2046 # one argument per line, none with spaces
sipcalc $(cat "$dir/in4") > "$dir/sip4"
# shellcheck disable=SC2046
sipcalc $(cat "$dir/in6") > "$dir/sip6"

python3 - "$dir" > "$dir/result" <<'EOF'
import ipaddress, sys
d = sys.argv[1]
passed, failed = 0, []

def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failed.append(what)

def ours(path):
    """Blocks of KEY=VALUE separated by blank lines."""
    blocks = open(path).read().strip().split("\n\n")
    return [dict(l.split("=", 1) for l in b.splitlines()) for b in blocks]

def sip(path):
    """sipcalc's blocks: 'Field<TAB>- value', wrapped lines start with blanks."""
    out, cur, key = [], None, None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("-[ipv"):
            cur = {"input": line.split(" : ", 1)[1].rsplit("]", 1)[0]}
            out.append(cur)
        elif cur is not None and "\t- " in line:
            key, val = line.split("\t- ", 1)
            key = key.strip()
            cur[key] = val.strip()
        elif cur is not None and key and line[:1] in ("\t", " ") and line.strip():
            cur[key] += " " + line.strip()
    return out

def groups(text):
    """A sipcalc-style uncompressed IPv6 text as 8 integers."""
    return [int(x, 16) for x in text.split(":")]

def expand(text):
    return ipaddress.IPv6Address(text).exploded

def pair(a, b):
    return "%s - %s" % (a, b)

inputs = {4: open(d + "/in4").read().split(), 6: open(d + "/in6").read().split()}
for fam in (4, 6):
    o, s = ours("%s/ours%d" % (d, fam)), sip("%s/sip%d" % (d, fam))
    check(len(o) == len(s) == 1000, "v%d: %d blocks from ipcalc, %d from sipcalc" % (fam, len(o), len(s)))
    for inp, a, b in zip(inputs[fam], o, s):
        def same(field, got, want):
            check(got == want, "%s %s: ipcalc %r, sipcalc %r" % (inp, field, got, want))
        same("input", inp, b["input"])
        plen = int(a["PREFIX"])
        if fam == 4:
            same("address", a["ADDRESS"], b["Host address"])
            same("network", a["NETWORK"], b["Network address"])
            same("netmask", a["NETMASK"], b["Network mask"])
            same("prefix", a["PREFIX"], b["Network mask (bits)"])
            same("broadcast", a["BROADCAST"], b["Broadcast address"])
            same("range", pair(a["NETWORK"], a["BROADCAST"]), b["Network range"])
            n = int(b["Addresses in network"]) + (plen == 0)
            same("addresses", a["ADDRESSES"], str(n))
            if plen <= 30:
                same("usable", pair(a["FIRST"], a["LAST"]), b.get("Usable range"))
            else:
                same("no usable range (/31, /32)", None, b.get("Usable range"))
                same("whole range usable", pair(a["FIRST"], a["LAST"]), b["Network range"])
        else:
            same("expanded", a["EXPANDED"], b["Expanded Address"])
            if not a["ADDRESS"].startswith("::ffff:"):
                same("compressed", a["ADDRESS"], b["Compressed address"])
            net, pl = b["Subnet prefix (masked)"].split("/")
            same("network", groups(expand(a["NETWORK"])), groups(net))
            same("prefix", a["PREFIX"], pl)
            same("prefix length", a["PREFIX"], b["Prefix length"])
            same("netmask", groups(expand(a["NETMASK"])), groups(b["Prefix address"]))
            same("range", pair(expand(a["NETWORK"]), expand(a["LAST"])), b["Network range"])
            check(a["ADDRESSES"] == str(2 ** (128 - plen)), "%s addresses %s" % (inp, a["ADDRESSES"]))
print(passed, len(failed))
for f in failed[:8]:
    print(f)
EOF

read -r p f < "$dir/result"
T_PASS=$((T_PASS + ${p:-0}))
[ "${f:-1}" = 0 ] || { T_FAIL=$((T_FAIL + ${f:-1})); sed 1d "$dir/result" | sed 's/^/FAIL ipcalc_sipcalc: /'; }
t_done
