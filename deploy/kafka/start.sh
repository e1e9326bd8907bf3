#!/bin/sh
# One Apache Kafka node in KRaft mode (broker + controller) with SASL/SCRAM-SHA-512 on the client listener.
#
# The passwords come from compose secrets (/run/secrets), never from the environment: this script writes the
# broker's properties (its inter-broker JAAS login) and an admin client file for the health check into a
# private directory, formats the storage once with the SCRAM users (KIP-900: users exist before the first
# start), and hands over to the broker. The controller listener is bound to localhost (one node: it is its
# own quorum), so the only port on the network is 9092, and it requires a SCRAM login.
#
# Users: `admin` (inter-broker, health check, operator) and the client user the services and the Kafka UI
# log in with (KAFKA_CLIENT_USERNAME). Formatting happens once per volume: to change a password later, use
# `kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' --entity-type users --entity-name ...`.
set -eu

admin_password="$(cat /run/secrets/kafka_admin_password)"
client_password="$(cat /run/secrets/kafka_client_password)"
conf=/tmp/plc-kafka
mkdir -p "$conf"
chmod 700 "$conf"
umask 077

cat > "$conf/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://localhost:9093
advertised.listeners=SASL_PLAINTEXT://${KAFKA_ADVERTISED_HOST}:9092
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin_password}";
log.dirs=/var/lib/kafka/data
auto.create.topics.enable=false
num.partitions=${KAFKA_NUM_PARTITIONS}
default.replication.factor=${KAFKA_DEFAULT_REPLICATION_FACTOR}
min.insync.replicas=${KAFKA_MIN_INSYNC_REPLICAS}
offsets.topic.replication.factor=${KAFKA_DEFAULT_REPLICATION_FACTOR}
transaction.state.log.replication.factor=${KAFKA_DEFAULT_REPLICATION_FACTOR}
transaction.state.log.min.isr=${KAFKA_MIN_INSYNC_REPLICAS}
log.retention.hours=${KAFKA_LOG_RETENTION_HOURS}
PROPERTIES

cat > "$conf/admin.properties" <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin_password}";
PROPERTIES

/opt/kafka/bin/kafka-storage.sh format --ignore-formatted \
    --cluster-id "${KAFKA_CLUSTER_ID}" \
    --config "$conf/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=${admin_password}]" \
    --add-scram "SCRAM-SHA-512=[name=${KAFKA_CLIENT_USERNAME},password=${client_password}]"

exec /opt/kafka/bin/kafka-server-start.sh "$conf/server.properties"
