/**
 * Real infrastructure for tests and demos, started from Maven Central artifacts without
 * Docker: {@link dev.outbox.embedded.EmbeddedKafkaBroker} (a single-node KRaft Kafka broker
 * in-process), {@link dev.outbox.embedded.EmbeddedPostgresServer} (PostgreSQL with logical
 * replication enabled) and {@link dev.outbox.embedded.ApicurioRegistryServer} (a schema
 * registry with the Confluent-compatible API, run as a child process).
 *
 * <p>Every server binds to 127.0.0.1 only, picks free ports by default and keeps them across
 * restarts, so outage tests can stop and start a server under running clients. Failures are
 * reported as {@link dev.outbox.embedded.EmbeddedServerException}. This module depends on none
 * of the outbox modules; it is meant for test scope and for the demo application, not for
 * production wiring.
 */
package dev.outbox.embedded;
