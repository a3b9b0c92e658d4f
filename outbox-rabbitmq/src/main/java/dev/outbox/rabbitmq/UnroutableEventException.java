package dev.outbox.rabbitmq;

import dev.outbox.core.OutboxException;
import java.util.UUID;

/**
 * RabbitMQ returned a mandatory message ({@code basic.return}): its exchange routed it to no queue.
 * The event's {@code PERMANENT_FAILURE}: sent again as is, it would be dropped again.
 */
public final class UnroutableEventException extends OutboxException {
    private static final long serialVersionUID = 1L;

    private final String exchange;
    private final String routingKey;

    /**
     * Creates the exception.
     *
     * @param eventId    the returned event
     * @param exchange   the exchange it was published to
     * @param routingKey its routing key
     * @param replyCode  the broker's reply code (312 NO_ROUTE)
     * @param replyText  the broker's reply text
     */
    public UnroutableEventException(UUID eventId, String exchange, String routingKey, int replyCode, String replyText) {
        super("event " + eventId + " is unroutable: exchange '" + exchange + "' routed routing key '" + routingKey
                + "' to no queue (basic.return " + replyCode + " " + replyText + "); bind a queue to the exchange");
        this.exchange = exchange;
        this.routingKey = routingKey;
    }

    /** Returns the exchange the event was published to. */
    public String exchange() {
        return exchange;
    }

    /** Returns the event's routing key (its aggregate id). */
    public String routingKey() {
        return routingKey;
    }
}
