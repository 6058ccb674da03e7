# Sourced by scripts/test.sh and scripts/run-pipeline.sh: use the Kafka broker already listening
# on the local port (scripts/kafka-local.sh's, a Compose one, another checkout's), or start this
# checkout's local broker and stop it again on exit.

KAFKA_PORT=${STREAMSTORE_KAFKA_PORT:-9092}
started_broker=0

broker_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; }

ensure_broker() {
    if broker_listening; then
        echo "using the Kafka broker already listening on 127.0.0.1:$KAFKA_PORT"
    else
        scripts/kafka-local.sh start
        started_broker=1
    fi
}

stop_broker_if_started() {
    if ((started_broker)); then scripts/kafka-local.sh stop; fi
}
