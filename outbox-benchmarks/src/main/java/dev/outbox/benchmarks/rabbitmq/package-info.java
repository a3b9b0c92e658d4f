/** RabbitMQ publisher benchmark: {@link dev.outbox.benchmarks.rabbitmq.RabbitMqPublisherBenchmark}. */
package dev.outbox.benchmarks.rabbitmq;
