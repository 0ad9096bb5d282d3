#!/usr/bin/env bash
# The network lab of tests/Dialtone.Network.Tests and bench/Dialtone.Network.Bench: Linux network
# namespaces (all named $NETLAB_PREFIX-*, default nl-*), veth pairs, a bridge and iptables NAT, with addresses only from the
# documentation ranges, and Kamailio + coturn in the "public" namespace. Nothing leaves the lab:
# the namespaces have no link to the host's network, and their default routes end in a dead-end
# veth pair. Drawing and figures: docs/networks.md.
#
#   lab.sh up [HOMES]      tear down leftovers, then build the lab with HOMES home networks (default 2)
#   lab.sh down            stop the lab's processes and delete every $NETLAB_PREFIX-* namespace
#   lab.sh nat I KIND      home I's router becomes: cone | symmetric | udp-blocked | routed (no NAT:
#                          the home's LAN addresses are public, as a carrier's or a PBX's host is)
#   lab.sh loss I PERCENT  home I's router drops PERCENT % of the UDP it forwards (both ways); 0 = none
#   lab.sh delay I MS [JITTER_MS]
#                          home I's router holds every packet it forwards (both ways, any protocol)
#                          MS +- JITTER_MS ms (uniform) before passing it on; 0 = none (delay.py)
#   lab.sh move I          home I's host moves to its other uplink: a new LAN address behind another
#                          router with another public address (a network change); again to move back
#
# Needs root, iproute2, iptables and coturn (tests/infra/install-network.sh) and Kamailio
# (tests/infra/install-sip-servers.sh). Work files: $NETLAB_DIR (default /tmp/$NETLAB_PREFIX-lab). NETLAB_PREFIX
# (default nl; the tests use nl<their pid>) names the namespaces, so two labs can run side by side; "up" also
# removes the labs of nl<pid> runs whose process is gone.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
infra=$(dirname "$here")
P=${NETLAB_PREFIX:-nl}
work=${NETLAB_DIR:-/tmp/$P-lab}

PUB=$P-pub
SIP_IP=203.0.113.10     # Kamailio
TURN_IP=203.0.113.20    # coturn (STUN + TURN)
BRIDGE_IP=203.0.113.1
SIP_PORT=5060; SIP_TLS_PORT=5061; WS_PORT=8080; WSS_PORT=8443
TURN_PORT=3478; TURNS_PORT=5349
TURN_USER=lab; TURN_PASSWORD=lab-secret; TURN_REALM=lab.test

wan_ip()  { echo "203.0.113.$((100 + $1))"; }       # a home router's public address
wan_ip2() { echo "192.0.2.$((100 + $1))"; }        # the public address of its second uplink's router
lan_gw()  { echo "198.51.100.$((16 * $1 + 1))"; }  # a home router's LAN side
lan_ip()  { echo "198.51.100.$((16 * $1 + 2))"; }  # the Dialtone host at home
lan_gw2() { echo "198.51.100.$((16 * $1 + 9))"; }  # the second uplink's router, LAN side
lan_ip2() { echo "198.51.100.$((16 * $1 + 10))"; } # the host's address on the second uplink
lan_net()  { echo "198.51.100.$((16 * $1))/29"; }     # home I's LAN behind its first router
lan_net2() { echo "198.51.100.$((16 * $1 + 8))/29"; } # ... and behind its second

ns() { ip netns exec "$@"; }

down() {
    down_prefix "$P" "$work"
}

# Removes the lab of prefix $1 (work dir $2): its processes by pid (ip netns pids), namespaces, files.
down_prefix() {
    local P=$1 work=$2 name pid
    for name in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do
        # Processes the lab started in its namespaces (Kamailio, coturn, agents), by pid.
        for pid in $(ip netns pids "$name" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    done
    for name in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do
        ip netns del "$name" 2>/dev/null || true
    done
    rm -rf /etc/netns/"$P"-*
    rm -rf "$work"
}

# Labs of test runs that died without "down": prefix nl<pid> (the tests' default, one per test
# process) whose pid is gone. A live run's lab is never touched: two runs can share the machine.
sweep_dead_runs() {
    local prefix
    for prefix in $(ip netns list | awk '{print $1}' | sed -n 's/^\(nl[0-9][0-9]*\)-.*/\1/p' | sort -u); do
        [[ $prefix == "$P" ]] && continue
        kill -0 "${prefix#nl}" 2>/dev/null && continue
        down_prefix "$prefix" "/tmp/$prefix-lab"
    done
}

make_certs() {
    bash "$infra/make-test-ca.sh" "$work/certs" >/dev/null
    cd "$work/certs"
    # The lab's server certificate (Kamailio's WSS/TLS and coturn's TLS), signed by the same test CA.
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout server.key -out lab.csr -subj "/CN=sip.lab.test" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:sip.lab.test,DNS:turn.lab.test,IP:$SIP_IP,IP:$TURN_IP" > lab.ext
    openssl x509 -req -in lab.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile lab.ext -out server.pem 2>/dev/null
    rm -f lab.csr lab.ext ca.srl
    # A second CA that signed nothing of the lab's: trusting it must not make coturn trusted.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other-ca.key -out other-ca.pem \
        -subj "/CN=Other test CA" -days 1 -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
    rm -f other-ca.key
    chmod 644 server.key   # coturn drops privileges before it reads the key
    cd - >/dev/null
}

start_kamailio() {
    local dir=$work/kamailio
    mkdir -p "$dir"
    sed -e "s#@CERT_DIR@#$work/certs#g" "$infra/kamailio/tls.cfg.template" > "$dir/tls.cfg"
    sed -e "s/127\.0\.0\.1/$SIP_IP/g" \
        -e "s/@SIP_PORT@/$SIP_PORT/g" -e "s/@TLS_PORT@/$SIP_TLS_PORT/g" \
        -e "s/@WS_PORT@/$WS_PORT/g" -e "s/@WSS_PORT@/$WSS_PORT/g" \
        -e "s#@WORK_DIR@#$dir#g" -e "s/@MIN_EXPIRES@/30/g" \
        -e "s/@AUTH_SECRET@/$(openssl rand -hex 16)/g" \
        "$infra/kamailio/kamailio.cfg.template" > "$dir/kamailio.cfg"
    local bin; bin=$(command -v kamailio || echo /usr/sbin/kamailio)
    ns $PUB "$bin" -DD -E -f "$dir/kamailio.cfg" -P "$dir/kamailio.pid" -Y "$dir" -w "$dir" -m 64 -M 8 \
        >"$dir/kamailio.log" 2>&1 &
}

start_coturn() {
    local dir=$work/coturn
    mkdir -p "$dir"
    cat > "$dir/turnserver.conf" <<CONF
listening-ip=$TURN_IP
relay-ip=$TURN_IP
listening-port=$TURN_PORT
tls-listening-port=$TURNS_PORT
min-port=49152
max-port=65535
fingerprint
lt-cred-mech
user=$TURN_USER:$TURN_PASSWORD
realm=$TURN_REALM
cert=$work/certs/server.pem
pkey=$work/certs/server.key
no-tlsv1
no-tlsv1_1
no-dtls
no-cli
no-multicast-peers
pidfile=$dir/turnserver.pid
log-file=stdout
simple-log
CONF
    ns $PUB turnserver -c "$dir/turnserver.conf" >"$dir/turnserver.log" 2>&1 &
}

wait_listening() {
    local deadline=$((SECONDS + 30)) want
    for want in "$SIP_IP:$SIP_PORT" "$SIP_IP:$WSS_PORT" "$SIP_IP:$WS_PORT" "$TURN_IP:$TURN_PORT" "$TURN_IP:$TURNS_PORT"; do
        until ns $PUB ss -Hltn | grep -q " $want "; do
            if (( SECONDS > deadline )); then
                echo "lab: nothing listens on $want" >&2
                tail -20 "$work/kamailio/kamailio.log" "$work/coturn/turnserver.log" >&2 || true
                return 1
            fi
            sleep 0.1
        done
    done
}

add_home() {
    local i=$1 r=$P-r$1 h=$P-h$1
    ip netns add "$r"; ip netns add "$h"
    ip -n "$r" link set lo up; ip -n "$h" link set lo up
    # Uplink: router "wan" <-> bridge port "w$i" in the public namespace.
    ip -n $PUB link add "w$i" type veth peer name wan netns "$r"
    ip -n $PUB link set "w$i" master br0 up
    ip -n "$r" addr add "$(wan_ip "$i")/24" dev wan
    ip -n "$r" link set wan up
    # LAN: router "lan" <-> host "eth0".
    ip -n "$r" link add lan type veth peer name eth0 netns "$h"
    ip -n "$r" addr add "$(lan_gw "$i")/29" dev lan
    ip -n "$r" link set lan up
    ip -n "$h" addr add "$(lan_ip "$i")/29" dev eth0
    ip -n "$h" link set eth0 up
    ip -n "$h" route add default via "$(lan_gw "$i")"
    ns "$r" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$r" route add 192.0.2.0/24 dev wan
    # Second uplink (for network changes): router $P-sI, public 192.0.2.x on the same bridge, LAN
    # "eth1" of the host, which has no address until "move".
    local s=$P-s$i
    ip netns add "$s"
    ip -n "$s" link set lo up
    ip -n $PUB link add "v$i" type veth peer name wan netns "$s"
    ip -n $PUB link set "v$i" master br0 up
    ip -n "$s" addr add "$(wan_ip2 "$i")/24" dev wan
    ip -n "$s" link set wan up
    ip -n "$s" route add 203.0.113.0/24 dev wan
    ip -n "$s" link add lan type veth peer name eth1 netns "$h"
    ip -n "$s" addr add "$(lan_gw2 "$i")/29" dev lan
    ip -n "$s" link set lan up
    ip -n "$h" link set eth1 up
    # Names for the lab's servers inside the home: "ip netns exec" bind-mounts /etc/netns/NAME/hosts
    # over /etc/hosts. A turns: server is named (libwebrtc checks its certificate's DNS names only).
    mkdir -p "/etc/netns/$h"
    printf '%s\n' "$SIP_IP sip.lab.test" "$TURN_IP turn.lab.test" > "/etc/netns/$h/hosts"
    ns "$s" sysctl -qw net.ipv4.ip_forward=1
    nat "$i" cone
}

# Rules of home I's router. Every kind drops unsolicited packets to the router's own public
# address: otherwise conntrack can give an early ICE check from the peer the port the host is
# about to use, and the mapping moves.
nat() {
    local i=$1 kind=$2 r
    for r in "$P-r$i" "$P-s$i"; do nat_router "$r" "$kind" || return; done
    if [ "$kind" = routed ]; then home_routes "$i" add; else home_routes "$i" del; fi
    echo "$kind" > "$work/nat-$i"
}

# A routed home's LANs are reachable from the public side and from every other home's routers (a
# route via the home's router); behind a NAT they must not be, or host candidates would connect
# across homes. $2: add | del.
home_routes() {
    local i=$1 op=$2 n
    for n in $PUB $(ip netns list | awk '{print $1}' | grep -E "^$P-[rs][0-9]+$"); do
        if [ "$n" != "$P-r$i" ]; then home_route "$n" "$op" "$(lan_net "$i")" "$(wan_ip "$i")"; fi
        if [ "$n" != "$P-s$i" ]; then home_route "$n" "$op" "$(lan_net2 "$i")" "$(wan_ip2 "$i")"; fi
    done
}

home_route() {
    local n=$1 op=$2 net=$3 via=$4
    if [ "$op" = add ]; then
        ip -n "$n" route replace "$net" via "$via"
    else
        ip -n "$n" route del "$net" via "$via" 2>/dev/null || true
    fi
}

nat_router() {
    local r=$1 kind=$2
    ns "$r" iptables -F; ns "$r" iptables -t nat -F
    ns "$r" iptables -A INPUT -i wan -m conntrack --ctstate NEW -j DROP
    case $kind in
        cone)        # endpoint-independent mapping (port-preserving), address-and-port-dependent filtering
            ns "$r" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE ;;
        symmetric)   # address-and-port-dependent mapping: a new random port per destination
            ns "$r" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE --random-fully ;;
        udp-blocked) # no UDP at all; TCP only to the SIP server and the TURN server's TCP/TLS ports
            ns "$r" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE
            ns "$r" iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            ns "$r" iptables -A FORWARD -i lan -p tcp -d $SIP_IP -j ACCEPT
            ns "$r" iptables -A FORWARD -i lan -p tcp -d $TURN_IP -m multiport --dports $TURN_PORT,$TURNS_PORT -j ACCEPT
            ns "$r" iptables -A FORWARD -j DROP ;;
        routed)      # no NAT: forwarded as it is (routes to the home's LANs: home_routes)
            ;;
        *) echo "lab: unknown NAT kind '$kind' (cone | symmetric | udp-blocked | routed)" >&2; return 2 ;;
    esac
}

loss() {
    local i=$1 percent=$2 r
    for r in "$P-r$i" "$P-s$i"; do loss_router "$r" "$percent"; done
}

loss_router() {
    local r=$1 percent=$2
    ns "$r" iptables -N LOSS 2>/dev/null || ns "$r" iptables -F LOSS
    ns "$r" iptables -D FORWARD -j LOSS 2>/dev/null || true
    if [ "$percent" != 0 ]; then
        ns "$r" iptables -A LOSS -p udp -m statistic --mode random --probability "$(awk "BEGIN{print $percent/100}")" -j DROP
        ns "$r" iptables -I FORWARD 1 -j LOSS
    fi
}

# Delay without netem: the mangle table's FORWARD chain (before filtering, so a router's own rules
# still apply after the wait) queues each packet to delay.py, which gives the verdict late.
delay() {
    local i=$1 ms=$2 jitter=${3:-0} r
    for r in "$P-r$i" "$P-s$i"; do delay_router "$r" "$ms" "$jitter" || return; done
}

delay_router() {
    local r=$1 ms=$2 jitter=$3 pidfile=$work/delay-$1.pid log=$work/delay-$1.log
    ns "$r" iptables -t mangle -F FORWARD
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
    [ "$ms" = 0 ] && [ "$jitter" = 0 ] && return 0
    ip netns exec "$r" python3 "$here/delay.py" 1 "$ms" "$jitter" >"$log" 2>&1 &
    echo $! > "$pidfile"
    local deadline=$((SECONDS + 10))
    until grep -q "^delay:" "$log"; do
        if (( SECONDS > deadline )) || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "lab: delay.py did not start in $r (needs python3 and the nfnetlink_queue module):" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.05
    done
    ns "$r" iptables -t mangle -A FORWARD -j NFQUEUE --queue-num 1
}

move() {
    local i=$1 h=$P-h$1
    if ip -n "$h" -4 -o addr show dev eth0 | grep -q inet; then
        ip -n "$h" addr add "$(lan_ip2 "$i")/29" dev eth1
        ip -n "$h" route replace default via "$(lan_gw2 "$i")"
        ip -n "$h" addr flush dev eth0
        echo "$(lan_ip2 "$i") behind $(wan_ip2 "$i")"
    else
        ip -n "$h" addr add "$(lan_ip "$i")/29" dev eth0
        ip -n "$h" route replace default via "$(lan_gw "$i")"
        ip -n "$h" addr flush dev eth1
        echo "$(lan_ip "$i") behind $(wan_ip "$i")"
    fi
}

up() {
    local homes=${1:-2} i
    down
    sweep_dead_runs
    mkdir -p "$work"
    make_certs
    ip netns add $PUB
    ip -n $PUB link set lo up
    ip -n $PUB link add br0 type bridge
    ip -n $PUB link set br0 up
    ip -n $PUB addr add $BRIDGE_IP/24 dev br0
    ip -n $PUB addr add $SIP_IP/24 dev br0
    ip -n $PUB addr add $TURN_IP/24 dev br0
    ip -n $PUB addr add 192.0.2.1/24 dev br0
    # coturn 4.6 stops relaying over TCP without a default route: one into a dead end.
    # (a veth pair whose far end does nothing: this kernel has no dummy interfaces).
    ip -n $PUB link add dead0 type veth peer name dead1
    ip -n $PUB link set dead1 up
    ip -n $PUB link set dead0 up
    ip -n $PUB route add default dev dead0
    for ((i = 1; i <= homes; i++)); do add_home "$i"; done
    start_kamailio
    start_coturn
    wait_listening
    cat > "$work/lab.env" <<ENV
SIP_IP=$SIP_IP
TURN_IP=$TURN_IP
SIP_PORT=$SIP_PORT
SIP_TLS_PORT=$SIP_TLS_PORT
WS_PORT=$WS_PORT
WSS_PORT=$WSS_PORT
TURN_PORT=$TURN_PORT
TURNS_PORT=$TURNS_PORT
TURN_USER=$TURN_USER
TURN_PASSWORD=$TURN_PASSWORD
CA=$work/certs/ca.pem
HOMES=$homes
ENV
    echo "lab: up ($homes homes) in $work"
}

cmd=${1:-}
shift || true
case $cmd in
    up) up "$@" ;;
    down) down ;;
    nat) nat "$@" ;;
    loss) loss "$@" ;;
    move) move "$@" ;;
    delay) delay "$@" ;;
    *) sed -n '2,/^set /{/^set /!p}' "$0"; exit 2 ;;
esac
