package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.PublishOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sends one batch on one session from the sender thread, in order, applying the per-aggregate
 * hold-back as it goes: once an event of an aggregate failed other than permanently, its later
 * events in the batch are {@code NOT_ATTEMPTED}. A send that throws (the channel is down) makes
 * that event {@code UNAVAILABLE} and the rest of the batch {@code NOT_ATTEMPTED}. Not thread-safe.
 */
final class BatchSender {
    private static final int MAX_SHORT_STRING = 255;

    private final RabbitBatch batch;
    private final ConfirmSession session;
    private final ExchangeNaming naming;
    private final BuiltinExchangeType declareType;
    private final Map<AggregateKey, UUID> failedAggregates = new HashMap<>();

    BatchSender(RabbitBatch batch, ConfirmSession session, ExchangeNaming naming, BuiltinExchangeType declareType) {
        this.batch = batch;
        this.session = session;
        this.naming = naming;
        this.declareType = declareType;
    }

    void sendAll() {
        List<OutboxEvent> events = batch.events();
        for (int i = 0; i < events.size(); i++) {
            if (batch.isDone()) {
                return; // the deadline passed: the rest was reported not attempted
            }
            OutboxEvent event = events.get(i);
            UUID blocker = failedAggregates.isEmpty() ? null : failedAggregates.get(AggregateKey.of(event));
            if (blocker != null) {
                batch.complete(i, PublishOutcome.notAttempted(event.id(), new OutboxException("not sent: the "
                        + "earlier event " + blocker + " of aggregate " + AggregateKey.of(event)
                        + " failed in this batch")));
                continue;
            }
            String exchange;
            try {
                exchange = exchangeOf(event);
                OutboxException missing = session.checkExchange(exchange, declareType);
                if (missing != null) {
                    fail(i, PublishOutcome.retriable(event.id(), missing));
                    continue;
                }
                session.publish(batch, i, exchange, event.aggregateId(), properties(event), event.payload());
            } catch (InvalidNameException e) {
                fail(i, PublishOutcome.permanent(event.id(), e));
            } catch (IllegalArgumentException e) {
                // the client refuses to encode the message (a header name over 255 bytes): sent again, it fails again
                fail(i, PublishOutcome.permanent(event.id(), new OutboxException("RabbitMQ cannot carry event "
                        + event.id() + ": " + e.getMessage(), e)));
            } catch (IOException | RuntimeException e) {
                batch.complete(i, PublishOutcome.unavailable(event.id(), new OutboxException(
                        "sending to RabbitMQ failed: the channel is down", e)));
                batch.notAttemptedFrom(i + 1, new OutboxException("not sent: an earlier send of this batch "
                        + "failed", e));
                return;
            }
        }
    }

    private void fail(int index, PublishOutcome outcome) {
        if (outcome.status() != PublishOutcome.Status.PERMANENT_FAILURE) {
            failedAggregates.putIfAbsent(AggregateKey.of(batch.event(index)), outcome.eventId());
        }
        batch.complete(index, outcome);
    }

    private String exchangeOf(OutboxEvent event) throws InvalidNameException {
        String exchange;
        try {
            exchange = naming.exchangeFor(event);
        } catch (RuntimeException e) {
            throw new InvalidNameException("the exchange naming failed for event " + event.id() + ": " + e, e);
        }
        if (exchange == null || !TemplateExchangeNaming.VALID_NAME.matcher(exchange).matches()) {
            throw new InvalidNameException("exchange name '" + exchange + "' of event " + event.id() + " is not "
                    + "valid for RabbitMQ (letters, digits, '.', '_', ':', '-', at most 255 characters)", null);
        }
        if (event.aggregateId().getBytes(StandardCharsets.UTF_8).length > MAX_SHORT_STRING) {
            throw new InvalidNameException("aggregate id of event " + event.id() + " is longer than the "
                    + MAX_SHORT_STRING + " bytes a RabbitMQ routing key can hold", null);
        }
        return exchange;
    }

    private static AMQP.BasicProperties properties(OutboxEvent event) {
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .messageId(event.id().toString())
                .type(event.eventType())
                .contentType(event.contentType())
                .timestamp(Date.from(event.occurredAt()))
                .headers(event.headers().isEmpty() ? null : new LinkedHashMap<>(event.headers()))
                .build();
    }

    /** An event whose exchange or routing key RabbitMQ cannot take: its permanent failure. */
    private static final class InvalidNameException extends OutboxException {
        private static final long serialVersionUID = 1L;

        InvalidNameException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
