/**
 * The RabbitMQ adapter of the outbox: {@link dev.outbox.rabbitmq.RabbitMqOutboxEventPublisher}
 * publishes each event as a persistent, mandatory message with publisher confirms, to the exchange
 * an {@link dev.outbox.rabbitmq.ExchangeNaming} gives (default {@code outbox.event.<aggregateType>}),
 * routing key = aggregate id, {@code message-id} = event id, {@code type} = event type, the event's
 * headers as message headers.
 */
package dev.outbox.rabbitmq;
