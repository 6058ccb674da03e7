#!/usr/bin/env bash
# Runs a real single-node Apache Kafka (KRaft, broker + controller in one JVM) on 127.0.0.1 without Docker,
# from the jars Apache publishes on Maven Central. See docs/kafka-local.md.
#
#   scripts/kafka-local.sh start                  fetch jars (once), format storage (once), start, wait until ready
#   scripts/kafka-local.sh stop                   SIGTERM, wait, SIGKILL after the deadline
#   scripts/kafka-local.sh restart                stop, then start
#   scripts/kafka-local.sh kill                   SIGKILL the broker (a crash, for reliability tests)
#   scripts/kafka-local.sh status                 exit 0 ready, 1 running but not reachable, 3 stopped
#   scripts/kafka-local.sh logs [-f] [LINES]      tail of the broker's server.log
#   scripts/kafka-local.sh wipe                   stop, delete data/logs/tmp (keeps the jar cache)
#   scripts/kafka-local.sh fetch                  only download the jars into the cache
#   scripts/kafka-local.sh bootstrap              print the bootstrap address (127.0.0.1:PORT)
#   scripts/kafka-local.sh tool NAME [ARGS...]    run one of Kafka's CLI tools (topics, consumer-groups, ...)
#
# Environment:
#   KAFKA_VERSION                       Kafka version from Maven Central, default 4.1.2
#   STREAMSTORE_KAFKA_PORT              client (PLAINTEXT) port, default 9092
#   STREAMSTORE_KAFKA_CONTROLLER_PORT   KRaft controller port, default 9093
#   STREAMSTORE_KAFKA_DIR               work directory, default <repo>/.kafka-local
#   STREAMSTORE_KAFKA_START_TIMEOUT     seconds to wait for the client port, default 90
#   STREAMSTORE_KAFKA_STOP_TIMEOUT      seconds to wait after SIGTERM before SIGKILL, default 30
#   STREAMSTORE_KAFKA_SECURITY          1 = also listen with SASL_SSL (SCRAM-SHA-512 or PLAIN) and SSL (client
#                                       certificate required), with a throwaway CA and credentials in DIR/security;
#                                       default 0
#   STREAMSTORE_KAFKA_SASL_SSL_PORT     SASL_SSL listener port (security only), default client port + 2
#   STREAMSTORE_KAFKA_SSL_PORT          SSL (mutual TLS) listener port (security only), default client port + 3
#   JAVA_HOME                           optional; otherwise `java` from PATH
set -euo pipefail

# 4.1.2 was checked against librdkafka 2.0.2 (Debian bookworm) by scripts/check-kafka-compat.py:
# consumer groups, cooperative-sticky, idempotent producer and transactions all pass. See docs/kafka-local.md.
readonly DEFAULT_KAFKA_VERSION=4.1.2

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT
readonly POM="$REPO_ROOT/deploy/kafka-local/pom.xml"
readonly CONF_DIR="$REPO_ROOT/deploy/kafka-local"

KAFKA_VERSION=${KAFKA_VERSION:-$DEFAULT_KAFKA_VERSION}
PORT=${STREAMSTORE_KAFKA_PORT:-9092}
CPORT=${STREAMSTORE_KAFKA_CONTROLLER_PORT:-9093}
KDIR=${STREAMSTORE_KAFKA_DIR:-$REPO_ROOT/.kafka-local}
START_TIMEOUT=${STREAMSTORE_KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=${STREAMSTORE_KAFKA_STOP_TIMEOUT:-30}
SECURITY=${STREAMSTORE_KAFKA_SECURITY:-0}
SASL_SSL_PORT=${STREAMSTORE_KAFKA_SASL_SSL_PORT:-$(( ${PORT//[!0-9]/0} + 2 ))}
SSL_PORT=${STREAMSTORE_KAFKA_SSL_PORT:-$(( ${PORT//[!0-9]/0} + 3 ))}

die() { echo "kafka-local: error: $*" >&2; exit 1; }
say() { echo "kafka-local: $*"; }

[[ $KAFKA_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KAFKA_VERSION '$KAFKA_VERSION' is not X.Y.Z"
[[ $SECURITY == 0 || $SECURITY == 1 ]] || die "STREAMSTORE_KAFKA_SECURITY='$SECURITY' is not 0 or 1"
for n in PORT CPORT START_TIMEOUT STOP_TIMEOUT SASL_SSL_PORT SSL_PORT; do
    [[ ${!n} =~ ^[0-9]+$ ]] || die "$n='${!n}' is not a number"
done
[[ $PORT != "$CPORT" ]] || die "client port and controller port are both $PORT"
if ((SECURITY)); then
    [[ $(printf '%s\n' "$PORT" "$CPORT" "$SASL_SSL_PORT" "$SSL_PORT" | sort -u | wc -l) == 4 ]] ||
        die "ports must differ: client $PORT, controller $CPORT, SASL_SSL $SASL_SSL_PORT, SSL $SSL_PORT"
fi
readonly KAFKA_MAJOR=${KAFKA_VERSION%%.*}

# Make the work directory absolute so the broker, the pid file and server.properties agree from any cwd.
mkdir -p -- "$KDIR"
KDIR=$(cd -- "$KDIR" && pwd -P)
readonly KDIR
readonly LIB="$KDIR/lib/$KAFKA_VERSION"
readonly DATA="$KDIR/data"
readonly LOGS="$KDIR/logs"
readonly TMPD="$KDIR/tmp"
readonly PROPS="$KDIR/server.properties"
readonly PIDFILE="$KDIR/kafka.pid"
readonly OUTFILE="$LOGS/broker.out"          # the JVM's own stdout/stderr (crashes, GC/heap errors)
readonly SERVER_LOG="$LOGS/server.log"
readonly DATA_VERSION_FILE="$KDIR/data.kafka-version"
readonly SESSION_TIMEOUT_S=30   # broker.session.timeout.ms, see write_server_properties
readonly SEC_DIR="$KDIR/security"            # throwaway CA, keystores, client key and passwords (security only)
readonly SASL_USER=streamstore

if ((KAFKA_MAJOR >= 4)); then
    LOG_OPTS=(-Dlog4j2.configurationFile="$CONF_DIR/log4j2.properties")
    TOOL_LOG_OPTS=(-Dlog4j2.configurationFile="$CONF_DIR/tools-log4j2.properties")
    MVN_LOGGING=()
else
    LOG_OPTS=(-Dlog4j.configuration="file:$CONF_DIR/log4j.properties")
    TOOL_LOG_OPTS=(-Dlog4j.configuration="file:$CONF_DIR/tools-log4j.properties")
    MVN_LOGGING=(-Dkafka.logging=reload4j)
fi

JAVA=java
[[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME:-}/bin/java ]] && JAVA="$JAVA_HOME/bin/java"

# ---------------------------------------------------------------------------------------------------------------
# helpers

ensure_java_maven() {
    local need=0
    command -v "$JAVA" >/dev/null || need=1
    [[ -n ${1:-} ]] && ! command -v mvn >/dev/null && need=1
    if ((need)); then
        say "java/maven missing: running scripts/install-deps.sh"
        "$SCRIPT_DIR/install-deps.sh"
        hash -r
    fi
    command -v "$JAVA" >/dev/null || die "java not found (install openjdk-17-jre-headless)"
    local jv
    jv=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
    if [[ -z $jv || $jv -lt 17 ]]; then
        die "Java 17+ required (found: $("$JAVA" -version 2>&1 | head -n1))"
    fi
}

# Downloads broker + tools + logging jars into $LIB, once per version (Maven also caches them in ~/.m2).
fetch_jars() {
    [[ -f $LIB/.complete ]] && return 0
    ensure_java_maven mvn
    [[ -f $POM ]] || die "missing $POM"
    mkdir -p -- "$KDIR/lib"
    local stage
    stage=$(mktemp -d "$KDIR/lib/.fetch-$KAFKA_VERSION.XXXXXX")
    chmod 755 "$stage"
    say "fetching Kafka $KAFKA_VERSION jars with Maven into $LIB"
    # Output kept for errors only (Maven 3.8's -q still prints stray ANSI resets).
    local out
    if ! out=$(mvn -B -q -Dstyle.color=never -f "$POM" -Dkafka.version="$KAFKA_VERSION" "${MVN_LOGGING[@]}" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$stage" 2>&1); then
        rm -rf -- "$stage"
        echo "$out" >&2
        die "maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (version exists? network to Maven Central?)"
    fi
    [[ -f $stage/kafka_2.13-$KAFKA_VERSION.jar && -f $stage/kafka-tools-$KAFKA_VERSION.jar ]] || {
        rm -rf -- "$stage"
        die "maven ran but kafka_2.13-$KAFKA_VERSION.jar / kafka-tools-$KAFKA_VERSION.jar are missing"
    }
    touch "$stage/.complete"
    rm -rf -- "$LIB"
    mv -- "$stage" "$LIB"
    say "fetched $(find "$LIB" -name '*.jar' | wc -l) jars ($(du -sh "$LIB" | cut -f1))"
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Prints the pid of our broker if it is alive (and really is our kafka.Kafka on our server.properties).
broker_pid() {
    [[ -f $PIDFILE ]] || return 1
    local pid
    pid=$(<"$PIDFILE")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    [[ -r /proc/$pid/cmdline ]] || { echo "$pid"; return 0; }   # no procfs: trust the pid
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $PROPS" || return 1
    echo "$pid"
}

# The Kafka version a running broker was started with (from its classpath .../lib/<version>/*).
running_version() {
    tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 's#^.*/lib/\([^/]*\)/\*$#\1#p' | head -n1
}

who_listens() {
    if command -v ss >/dev/null; then
        ss -ltnp "( sport = :$1 )" 2>/dev/null | tail -n +2 || true
    fi
}

gen_cluster_id() {
    # A Kafka Uuid: 16 random bytes, base64url without padding; Kafka rejects ids starting with '-'.
    local id
    while :; do
        id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
        [[ $id != -* && ${#id} -eq 22 ]] && break
    done
    echo "$id"
}

write_server_properties() {
    mkdir -p -- "$DATA" "$LOGS" "$TMPD"
    cat >"$PROPS.tmp" <<EOF
# Generated by scripts/kafka-local.sh on every start; edit the script, not this file.
# Single-node KRaft: this JVM is both broker and controller. Loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA

# One broker: every replication factor is 1.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer internal partitions than the defaults (50) so the first consumer group / transaction is quick on 2 cores.
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5
# Consumers join immediately instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# The controller fences a broker whose heartbeats stop for this long (default 9 s). With one node, fencing takes
# every partition offline; on a busy 2-core machine the broker was seen stalling ~20 s (other builds running),
# which fenced it and failed clients. The cost: after an unclean exit (kill -9) the restarted broker cannot
# register until the old session expires, so such a restart takes this long (the script then waits longer).
# Keep it well below initial.broker.registration.timeout.ms (60 s), or the restarted broker gives up and exits.
broker.session.timeout.ms=$((SESSION_TIMEOUT_S * 1000))

# Topics created without an explicit count (auto-created or admin API with -1) get 3 partitions.
num.partitions=3
# Kept at Kafka's default (true): the services create their topics through the admin API anyway, and
# auto-creation helps ad-hoc console-producer/consumer use. A typo in a topic name therefore creates a topic.
auto.create.topics.enable=true
EOF
    if ((KAFKA_MAJOR >= 4)); then
        cat >>"$PROPS.tmp" <<EOF

# Kafka 4.x share groups (KIP-932): its internal state topic must also fit on one broker.
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
EOF
    fi
    if ((SECURITY)); then
        chmod 600 "$PROPS.tmp"
        write_security_properties >>"$PROPS.tmp"
    fi
    mv -f -- "$PROPS.tmp" "$PROPS"
}

# ---------------------------------------------------------------------------------------------------------------
# security (STREAMSTORE_KAFKA_SECURITY=1): a throwaway CA, a broker keystore, a client certificate and a SCRAM
# user, all local to $SEC_DIR and kept across restarts (so clients keep trusting the CA). Never commit them.

random_secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }   # 36 hex characters

# Creates what is missing in $SEC_DIR; regenerates certificates that expire within a day.
ensure_security_material() {
    command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
    local keytool=keytool
    [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME:-}/bin/keytool ]] && keytool="$JAVA_HOME/bin/keytool"
    command -v "$keytool" >/dev/null || die "keytool not found (it comes with the JDK: openjdk-17-jdk-headless)"
    mkdir -p -- "$SEC_DIR"
    chmod 700 "$SEC_DIR"
    # A .gitignore inside, so a working directory within the repository can never be committed by accident.
    [[ -f $SEC_DIR/.gitignore ]] || echo '*' >"$SEC_DIR/.gitignore"
    local f
    for f in store.password client-key.password sasl.password; do
        [[ -s $SEC_DIR/$f ]] || (umask 077 && random_secret >"$SEC_DIR/$f")
    done
    if [[ -f $SEC_DIR/ca.pem && -f $SEC_DIR/broker.p12 && -f $SEC_DIR/truststore.p12 && -f $SEC_DIR/client.pem &&
          -f $SEC_DIR/client.key ]] &&
       openssl x509 -checkend 86400 -noout -in "$SEC_DIR/ca.pem" >/dev/null &&
       openssl x509 -checkend 86400 -noout -in "$SEC_DIR/client.pem" >/dev/null; then
        return 0
    fi
    say "generating a throwaway CA, broker keystore and client certificate in $SEC_DIR"
    local out
    rm -f -- "$SEC_DIR"/{ca,broker,client}.{key,pem,csr,srl} "$SEC_DIR"/{broker,truststore}.p12
    # Passwords go to the tools as file: arguments, never on a command line.
    if ! out=$( (
        set -e
        cd -- "$SEC_DIR"
        umask 077
        openssl req -x509 -newkey rsa:2048 -nodes -days 365 -keyout ca.key -out ca.pem \
            -subj "/CN=StreamStore local CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        # Broker: the clients connect to 127.0.0.1 (the advertised host) and check it against the SAN
        # (librdkafka's ssl.endpoint.identification.algorithm=https is the default).
        openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=localhost"
        openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -out broker.pem \
            -extfile <(printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth,clientAuth")
        openssl pkcs12 -export -name broker -in broker.pem -inkey broker.key -certfile ca.pem \
            -out broker.p12 -passout "file:store.password"
        # The brokers' truststore: the CA that signs client certificates (mutual TLS).
        "$keytool" -importcert -noprompt -alias streamstore-ca -file ca.pem -keystore truststore.p12 \
            -storetype PKCS12 -storepass:file store.password
        # Client: its certificate's subject is its principal on the SSL listener (User:CN=streamstore-client);
        # the key is encrypted (PKCS#8), so clients need ssl.key.password.
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc \
            -pass "file:client-key.password" -out client.key
        openssl req -new -key client.key -passin "file:client-key.password" -out client.csr \
            -subj "/CN=streamstore-client"
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -out client.pem \
            -extfile <(printf '%s\n' "extendedKeyUsage=clientAuth")
        rm -f broker.csr client.csr ca.srl
        chmod 644 ca.pem client.pem
    ) 2>&1); then
        echo "$out" >&2
        die "generating the security material in $SEC_DIR failed"
    fi
}

# Appended to server.properties when STREAMSTORE_KAFKA_SECURITY=1 (the file is mode 600: it holds the store
# password). PLAINTEXT stays for the broker itself, the tools and every other client.
write_security_properties() {
    local store_pw sasl_pw
    store_pw=$(<"$SEC_DIR/store.password")
    sasl_pw=$(<"$SEC_DIR/sasl.password")
    cat <<EOF

# STREAMSTORE_KAFKA_SECURITY=1: SASL_SSL with SCRAM-SHA-512 or PLAIN on $SASL_SSL_PORT, SSL with client certificates
# (mutual TLS) on $SSL_PORT. Throwaway CA and keys in $SEC_DIR. One user, $SASL_USER, with the password in
# $SEC_DIR/sasl.password: a SCRAM credential in the metadata log (created after start) and a static PLAIN user here.
# PLAIN is there because librdkafka before 2.6.1 (Debian bookworm has 2.0.2) cannot do SCRAM against Kafka 4.x
# (librdkafka#4895: the client nonce is sent twice; Kafka 4 checks it strictly, as RFC 5802 requires).
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT,SSL://127.0.0.1:$SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_SSL://127.0.0.1:$SASL_SSL_PORT,SSL://127.0.0.1:$SSL_PORT
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$sasl_pw";
ssl.keystore.type=PKCS12
ssl.keystore.location=$SEC_DIR/broker.p12
ssl.keystore.password=$store_pw
ssl.key.password=$store_pw
ssl.truststore.type=PKCS12
ssl.truststore.location=$SEC_DIR/truststore.p12
ssl.truststore.password=$store_pw
listener.name.ssl.ssl.client.auth=required
listener.name.sasl_ssl.ssl.client.auth=none
EOF
}

# Creates (or resets) the SCRAM-SHA-512 credential of user $SASL_USER through the PLAINTEXT listener. KRaft keeps
# it in the metadata log, so it survives restarts; setting it again is harmless.
ensure_scram_user() {
    local pw out
    pw=$(<"$SEC_DIR/sasl.password")
    if ! out=$(run_java_tool kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$PORT" --alter \
        --entity-type users --entity-name "$SASL_USER" \
        --add-config "SCRAM-SHA-512=[iterations=8192,password=$pw]" 2>&1); then
        echo "${out//$pw/<redacted>}" >&2
        die "could not create the SCRAM user $SASL_USER"
    fi
    local p
    for p in "$SASL_SSL_PORT" "$SSL_PORT"; do
        port_open "$p" || die "the broker runs, but its security listener 127.0.0.1:$p is not open; see $SERVER_LOG"
    done
    say "security: SASL_SSL (SCRAM-SHA-512 or PLAIN, user $SASL_USER) on 127.0.0.1:$SASL_SSL_PORT," \
        "SSL (client certificate required) on 127.0.0.1:$SSL_PORT; CA, client certificate and passwords in $SEC_DIR"
}

run_java_tool() {   # run_java_tool CLASS ARGS... (same jars, tool logging to stderr)
    local cls=$1; shift
    "$JAVA" -Xms64m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true -Djava.io.tmpdir="$TMPD" \
        -Dkafka.logs.dir="$LOGS" "${TOOL_LOG_OPTS[@]}" -cp "$LIB/*" "$cls" "$@"
}

format_storage_if_needed() {
    if [[ -d $DATA ]] && [[ -n $(ls -A -- "$DATA") ]]; then
        [[ -f $DATA/meta.properties ]] ||
            die "$DATA is not empty but has no meta.properties (not a Kafka log dir?); run: $0 wipe"
        if [[ -f $DATA_VERSION_FILE ]]; then
            local formatted
            formatted=$(<"$DATA_VERSION_FILE")
            if [[ $formatted != "$KAFKA_VERSION" ]]; then
                if [[ $(printf '%s\n%s\n' "$formatted" "$KAFKA_VERSION" | sort -V | tail -n1) == "$formatted" ]]; then
                    die "data dir was formatted by Kafka $formatted; $KAFKA_VERSION is older and cannot read it. Run: $0 wipe"
                fi
                say "warning: data dir was formatted by Kafka $formatted, starting $KAFKA_VERSION on it (upgrade)"
            fi
        fi
        return 0
    fi
    mkdir -p -- "$DATA"
    local cid
    cid=$(gen_cluster_id)
    say "formatting $DATA (cluster id $cid)"
    local out
    if ! out=$(run_java_tool kafka.tools.StorageTool format --cluster-id="$cid" -c "$PROPS" 2>&1); then
        echo "$out" >&2
        die "formatting storage failed"
    fi
    echo "$KAFKA_VERSION" >"$DATA_VERSION_FILE"
}

print_failure_logs() {   # print_failure_logs SERVER_LOG_OFFSET OUT_OFFSET
    echo "---- tail of $SERVER_LOG (this start) ----" >&2
    if [[ -f $SERVER_LOG ]]; then tail -c +"$(( $1 + 1 ))" "$SERVER_LOG" | tail -n 60 >&2; fi
    echo "---- tail of $OUTFILE (JVM stdout/stderr) ----" >&2
    if [[ -f $OUTFILE ]]; then tail -c +"$(( $2 + 1 ))" "$OUTFILE" | tail -n 30 >&2; fi
    echo "----" >&2
}

file_size() { if [[ -f $1 ]]; then stat -c %s -- "$1"; else echo 0; fi; }

lock() {
    exec 9>"$KDIR/.lock"
    flock -w $((START_TIMEOUT + STOP_TIMEOUT + 60)) 9 || die "another kafka-local.sh holds $KDIR/.lock"
}

# Waits until the client port accepts connections; dies (with logs) if the JVM exits or the deadline passes.
wait_ready() {   # wait_ready PID T0 LOG_OFFSET OUT_OFFSET
    local pid=$1 t0=$2 deadline=$(( $2 + START_TIMEOUT ))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f -- "$PIDFILE"
            print_failure_logs "$3" "$4"
            die "the broker JVM (pid $pid) exited during start-up; see above and docs/kafka-local.md#troubleshooting"
        fi
        if port_open "$PORT"; then
            local started="no"
            grep -q 'Kafka Server started' <(tail -c +"$(( $3 + 1 ))" "$SERVER_LOG" 2>/dev/null) && started="yes"
            say "Kafka $KAFKA_VERSION ready on 127.0.0.1:$PORT (pid $pid, $(( $(date +%s) - t0 )) s;" \
                "'Kafka Server started' in log: $started)"
            return 0
        fi
        if (( $(date +%s) >= deadline )); then
            print_failure_logs "$3" "$4"
            die "broker not reachable on 127.0.0.1:$PORT after ${START_TIMEOUT}s (still running as pid $pid;" \
                "'$0 stop' to stop it, STREAMSTORE_KAFKA_START_TIMEOUT to wait longer)"
        fi
        sleep 0.5
    done
}

# ---------------------------------------------------------------------------------------------------------------
# commands

cmd_start() {
    lock
    local pid
    if pid=$(broker_pid); then
        local rv
        rv=$(running_version "$pid")
        if port_open "$PORT"; then
            say "already running (pid $pid, Kafka ${rv:-?}) and reachable on 127.0.0.1:$PORT"
            if [[ -n $rv && $rv != "$KAFKA_VERSION" ]]; then
                say "warning: it runs Kafka $rv, not KAFKA_VERSION=$KAFKA_VERSION; '$0 stop' first to switch"
            fi
            if ((SECURITY)); then
                grep -q '^listener.name.ssl.ssl.client.auth=' "$PROPS" ||
                    die "it was started without STREAMSTORE_KAFKA_SECURITY=1; '$0 restart' with it set"
                ensure_scram_user
            fi
            return 0
        fi
        say "already running (pid $pid) but 127.0.0.1:$PORT not open yet; waiting"
        wait_ready "$pid" "$(date +%s)" "$(file_size "$SERVER_LOG")" "$(file_size "$OUTFILE")"
        if ((SECURITY)); then ensure_scram_user; fi
        return 0
    fi
    rm -f -- "$PIDFILE"
    local p
    local ports=("$PORT" "$CPORT")
    ((SECURITY)) && ports+=("$SASL_SSL_PORT" "$SSL_PORT")
    for p in "${ports[@]}"; do
        if port_open "$p"; then
            who_listens "$p" >&2
            die "port 127.0.0.1:$p is already in use by another process (not this script's broker in $KDIR)." \
                "Stop it, or pick other ports with STREAMSTORE_KAFKA_PORT / STREAMSTORE_KAFKA_CONTROLLER_PORT"
        fi
    done

    ensure_java_maven
    fetch_jars
    if ((SECURITY)); then ensure_security_material; fi
    write_server_properties
    format_storage_if_needed

    # Kafka leaves .kafka_cleanshutdown in the log dir on a clean stop. Without it (kill -9, crash), the controller
    # still holds the old broker session and refuses the new registration until the session times out.
    local extra=0
    if [[ -f $DATA/meta.properties && ! -f $DATA/.kafka_cleanshutdown && -d $DATA/__cluster_metadata-0 ]]; then
        extra=$SESSION_TIMEOUT_S
        say "previous broker did not shut down cleanly: log recovery, and registration waits for the old" \
            "session to expire (~${SESSION_TIMEOUT_S}s); allowing ${extra}s more"
    fi

    local log_off out_off t0
    log_off=$(file_size "$SERVER_LOG")
    out_off=$(file_size "$OUTFILE")
    t0=$(date +%s)
    say "starting Kafka $KAFKA_VERSION (KRaft, node 1) on 127.0.0.1:$PORT, controller 127.0.0.1:$CPORT"
    echo "==== $(date -Is) start Kafka $KAFKA_VERSION ====" >>"$OUTFILE"
    # setsid: own session, so Ctrl-C in the caller's terminal/test runner does not hit the broker.
    # The inner bash writes its own pid and then execs java, so the pid file holds the JVM's pid.
    # 9>&- : do not hand our lock's fd to the broker.
    # shellcheck disable=SC2016  # $$ and $@ belong to the inner bash
    setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
        "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
        -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
        -Xlog:gc*:file="$LOGS/gc.log":time,uptime:filecount=3,filesize=10M \
        -Djava.io.tmpdir="$TMPD" -Dkafka.logs.dir="$LOGS" "${LOG_OPTS[@]}" \
        -cp "$LIB/*" kafka.Kafka "$PROPS" \
        </dev/null >>"$OUTFILE" 2>&1 9>&- &
    local i
    for ((i = 0; i < 50; i++)); do [[ -s $PIDFILE ]] && break; sleep 0.1; done
    [[ -s $PIDFILE ]] || die "broker process did not start (no pid file); see $OUTFILE"
    pid=$(<"$PIDFILE")
    START_TIMEOUT=$((START_TIMEOUT + extra)) wait_ready "$pid" "$t0" "$log_off" "$out_off"
    if ((SECURITY)); then ensure_scram_user; fi
}

cmd_stop() {
    lock
    local pid
    if ! pid=$(broker_pid); then
        rm -f -- "$PIDFILE"
        say "not running"
        return 0
    fi
    say "stopping pid $pid (SIGTERM, up to ${STOP_TIMEOUT}s)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( $(date +%s) + STOP_TIMEOUT )) t0
    t0=$(date +%s)
    while kill -0 "$pid" 2>/dev/null; do
        if (( $(date +%s) >= deadline )); then
            say "still running after ${STOP_TIMEOUT}s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            local i
            for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            break
        fi
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && die "pid $pid survived SIGKILL"
    rm -f -- "$PIDFILE"
    say "stopped ($(( $(date +%s) - t0 )) s)"
}

cmd_kill() {
    lock
    local pid
    if ! pid=$(broker_pid); then
        say "not running"
        return 0
    fi
    say "killing pid $pid (SIGKILL)"
    kill -KILL "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && die "pid $pid survived SIGKILL"
    rm -f -- "$PIDFILE"
    say "killed"
}

cmd_status() {
    local pid
    if pid=$(broker_pid); then
        if port_open "$PORT"; then
            local rv
            rv=$(running_version "$pid")
            say "running: pid $pid, Kafka ${rv:-?}, ready on 127.0.0.1:$PORT (dir $KDIR)"
            return 0
        fi
        say "running: pid $pid, but 127.0.0.1:$PORT is not accepting connections (starting or stuck?)"
        return 1
    fi
    say "not running (dir $KDIR)"
    if port_open "$PORT"; then say "note: something else listens on 127.0.0.1:$PORT"; fi
    return 3
}

cmd_logs() {
    local follow=() lines=100
    while (($#)); do
        case $1 in
            -f|--follow) follow=(-F) ;;
            ''|*[!0-9]*) die "usage: $0 logs [-f] [LINES]" ;;
            *) lines=$1 ;;
        esac
        shift
    done
    [[ -f $SERVER_LOG ]] || die "no $SERVER_LOG yet"
    tail -n "$lines" "${follow[@]}" -- "$SERVER_LOG"
}

cmd_wipe() {
    cmd_stop
    rm -rf -- "$DATA" "$LOGS" "$TMPD" "$DATA_VERSION_FILE" "$PROPS"
    say "wiped data, logs and tmp in $KDIR (jar cache $KDIR/lib kept)"
}

tool_class() {
    case $1 in
        topics)               echo org.apache.kafka.tools.TopicCommand ;;
        consumer-groups)      echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
        console-consumer)     echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
        console-producer)
            if ((KAFKA_MAJOR >= 4)); then echo org.apache.kafka.tools.ConsoleProducer
            else echo kafka.tools.ConsoleProducer; fi ;;
        producer-perf)        echo org.apache.kafka.tools.ProducerPerformance ;;
        consumer-perf)        echo org.apache.kafka.tools.ConsumerPerformance ;;
        end-to-end-latency)   echo org.apache.kafka.tools.EndToEndLatency ;;
        transactional-copier) echo org.apache.kafka.tools.TransactionalMessageCopier ;;
        get-offsets)          echo org.apache.kafka.tools.GetOffsetShell ;;
        metadata-quorum)      echo org.apache.kafka.tools.MetadataQuorumCommand ;;
        configs)              echo kafka.admin.ConfigCommand ;;
        delete-records)       echo org.apache.kafka.tools.DeleteRecordsCommand ;;
        storage)              echo kafka.tools.StorageTool ;;
        *.*)                  echo "$1" ;;   # a fully qualified class name
        *) return 1 ;;
    esac
}

readonly TOOL_NAMES="topics consumer-groups console-consumer console-producer producer-perf consumer-perf end-to-end-latency transactional-copier get-offsets metadata-quorum configs delete-records storage"

cmd_tool() {
    (($#)) || die "usage: $0 tool NAME [ARGS...]; NAME is one of: $TOOL_NAMES (or a class name)"
    local cls
    cls=$(tool_class "$1") || die "unknown tool '$1'; one of: $TOOL_NAMES (or a class name)"
    shift
    ensure_java_maven
    fetch_jars >&2
    mkdir -p -- "$TMPD" "$LOGS"
    exec 9>&-
    run_java_tool "$cls" "$@"
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

main() {
    local cmd=${1:-}
    (($#)) && shift
    case $cmd in
        start)     cmd_start ;;
        stop)      cmd_stop ;;
        restart)   cmd_stop; cmd_start ;;
        kill)      cmd_kill ;;
        status)    cmd_status ;;
        logs)      cmd_logs "$@" ;;
        wipe)      cmd_wipe ;;
        fetch)     ensure_java_maven mvn; fetch_jars; say "jars for Kafka $KAFKA_VERSION in $LIB" ;;
        bootstrap) echo "127.0.0.1:$PORT" ;;
        tool)      cmd_tool "$@" ;;
        -h|--help|help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
