/**
 * NATS publisher benchmarks: main classes that print numbers, not tests.
 *
 * <p>{@link dev.outbox.benchmarks.nats.NatsPublisherBenchmark} compares the outbox's
 * {@code NatsOutboxEventPublisher} with the bare jnats JetStream client on the same server.
 */
package dev.outbox.benchmarks.nats;
