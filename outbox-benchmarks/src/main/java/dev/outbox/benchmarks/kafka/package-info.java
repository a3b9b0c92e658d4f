/**
 * Kafka publisher benchmarks: main classes that print numbers, not tests.
 *
 * <p>{@link dev.outbox.benchmarks.kafka.PublisherBenchmark} compares the outbox's
 * {@code KafkaOutboxEventPublisher} with a bare {@code KafkaProducer} on the same in-process broker.
 */
package dev.outbox.benchmarks.kafka;
