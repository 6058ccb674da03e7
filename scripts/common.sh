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

# The reliability tests restart the broker (SIGKILL and SIGTERM) through scripts/kafka-local.sh;
# they can only do that when the broker in use is that script's.
export_broker_control() {
    if scripts/kafka-local.sh status >/dev/null 2>&1; then
        export STREAMSTORE_TEST_BROKER_SCRIPT="$PWD/scripts/kafka-local.sh"
    else
        echo "note: the broker on 127.0.0.1:$KAFKA_PORT is not scripts/kafka-local.sh's: the broker-restart test is skipped"
    fi
}
