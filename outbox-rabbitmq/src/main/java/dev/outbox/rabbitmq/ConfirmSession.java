package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.PublishOutcome;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection and its channel in confirm mode, published on by one thread only. Each message
 * sent is remembered under its publish sequence number until its outcome is known: an ack is
 * {@code PUBLISHED} (or, when the broker returned the message first, the unroutable event's
 * {@code PERMANENT_FAILURE}), a nack the event's {@code RETRIABLE_FAILURE}, and the channel or
 * connection closing makes every message still waiting {@code UNAVAILABLE} (or, when the broker
 * closed the channel because an exchange is missing, that exchange's messages
 * {@code RETRIABLE_FAILURE}). A closed session is never reused: sequence numbers belong to one
 * channel. Thread-safe for the listeners; {@link #publish} from one thread only.
 */
final class ConfirmSession implements ConfirmListener, ReturnListener, ShutdownListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmSession.class);
    private static final int NOT_FOUND = 404;

    private record InFlight(RabbitBatch batch, int index, String exchange) {
    }

    private final Connection connection;
    private final Channel channel;
    private final String endpoint;
    private final ConcurrentNavigableMap<Long, InFlight> inFlight = new ConcurrentSkipListMap<>();
    private final Map<String, UnroutableEventException> returned = new ConcurrentHashMap<>();
    private final Set<String> knownExchanges = ConcurrentHashMap.newKeySet();
    private volatile ShutdownSignalException closedBy;

    private ConfirmSession(Connection connection, Channel channel, String endpoint) {
        this.connection = connection;
        this.channel = channel;
        this.endpoint = endpoint;
    }

    /** Opens a connection and a confirm channel; bounded by the factory's connection, handshake and RPC timeouts. */
    static ConfirmSession open(ConnectionFactory factory, String connectionName, String endpoint)
            throws IOException, TimeoutException {
        Connection connection = factory.newConnection(connectionName);
        try {
            Channel channel = connection.createChannel();
            if (channel == null) {
                throw new IOException("RabbitMQ at " + endpoint + " has no channel left for the publisher");
            }
            ConfirmSession session = new ConfirmSession(connection, channel, endpoint);
            channel.addShutdownListener(session);
            channel.addConfirmListener(session);
            channel.addReturnListener(session);
            channel.confirmSelect();
            return session;
        } catch (IOException | RuntimeException e) {
            connection.abort();
            throw e;
        }
    }

    boolean isOpen() {
        return closedBy == null && channel.isOpen();
    }

    /**
     * Makes sure the exchange exists, once per session: declared (durable) when {@code declareType}
     * is set, else checked passively, on a throwaway channel, since a missing exchange closes the
     * channel it is used on.
     *
     * @return {@code null} when the exchange can be used, else why not (the event's own failure)
     * @throws IOException when RabbitMQ cannot be asked (the connection is down)
     */
    OutboxException checkExchange(String exchange, BuiltinExchangeType declareType) throws IOException {
        if (knownExchanges.contains(exchange)) {
            return null;
        }
        Channel probe = connection.createChannel();
        if (probe == null) {
            throw new IOException("RabbitMQ at " + endpoint + " has no channel left to check exchange " + exchange);
        }
        try {
            if (declareType != null) {
                probe.exchangeDeclare(exchange, declareType, true);
            } else {
                probe.exchangeDeclarePassive(exchange);
            }
            knownExchanges.add(exchange);
            return null;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal && !signal.isHardError()) {
                return new OutboxException(declareType == null
                        ? "exchange '" + exchange + "' does not exist on RabbitMQ at " + endpoint + ": declare it, "
                                + "or let the publisher declare it (declareExchanges)"
                        : "RabbitMQ at " + endpoint + " refused to declare exchange '" + exchange + "' as a durable "
                                + declareType.getType() + " exchange: " + signal.getMessage(), e);
            }
            throw e;
        } finally {
            if (probe.isOpen()) {
                try {
                    probe.close();
                } catch (IOException | TimeoutException | RuntimeException ignored) {
                    // the probe's close is bookkeeping: the check's result is known already
                }
            }
        }
    }

    /**
     * Sends one persistent, mandatory message; its outcome arrives later through the listeners.
     *
     * @throws IOException or {@link com.rabbitmq.client.AlreadyClosedException} when the channel is down;
     *     the event then has no outcome from this session
     */
    void publish(RabbitBatch batch, int index, String exchange, String routingKey, AMQP.BasicProperties properties,
            byte[] body) throws IOException {
        long sequence = channel.getNextPublishSeqNo();
        inFlight.put(sequence, new InFlight(batch, index, exchange));
        batch.markSent(index);
        try {
            channel.basicPublish(exchange, routingKey, true, properties, body);
        } catch (IOException | RuntimeException e) {
            inFlight.remove(sequence);
            throw e;
        }
    }

    @Override
    public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
            AMQP.BasicProperties properties, byte[] body) {
        // RabbitMQ sends basic.return before the message's basic.ack, on this same connection thread
        String messageId = properties.getMessageId();
        if (messageId != null) {
            returned.put(messageId, new UnroutableEventException(UUID.fromString(messageId), exchange, routingKey,
                    replyCode, replyText));
        }
    }

    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, true);
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, false);
    }

    private void settle(long deliveryTag, boolean multiple, boolean ack) {
        if (!multiple) {
            InFlight message = inFlight.remove(deliveryTag);
            if (message != null) {
                settle(message, ack);
            }
            return;
        }
        for (Map.Entry<Long, InFlight> head = inFlight.firstEntry(); head != null && head.getKey() <= deliveryTag;
                head = inFlight.firstEntry()) {
            if (inFlight.remove(head.getKey(), head.getValue())) {
                settle(head.getValue(), ack);
            }
        }
    }

    private void settle(InFlight message, boolean ack) {
        UUID id = message.batch().event(message.index()).id();
        UnroutableEventException unroutable = returned.remove(id.toString());
        PublishOutcome outcome;
        if (unroutable != null) {
            outcome = PublishOutcome.permanent(id, unroutable);
        } else if (ack) {
            outcome = PublishOutcome.published(id);
        } else {
            outcome = PublishOutcome.retriable(id, new OutboxException("RabbitMQ nacked event " + id + " on exchange '"
                    + message.exchange() + "' (basic.nack: the broker could not take it)"));
        }
        message.batch().complete(message.index(), outcome);
    }

    @Override
    public void shutdownCompleted(ShutdownSignalException cause) {
        closedBy = cause;
        String missingExchange = missingExchange(cause);
        if (missingExchange != null) {
            knownExchanges.remove(missingExchange);
        }
        if (!cause.isInitiatedByApplication()) {
            LOG.warn("RabbitMQ outbox publisher lost its channel to {}: {}; {} messages unconfirmed, reconnecting on "
                    + "the next publish", endpoint, cause.getMessage(), inFlight.size());
        }
        for (Map.Entry<Long, InFlight> head = inFlight.pollFirstEntry(); head != null; head = inFlight.pollFirstEntry()) {
            InFlight message = head.getValue();
            UUID id = message.batch().event(message.index()).id();
            message.batch().complete(message.index(), message.exchange().equals(missingExchange)
                    ? PublishOutcome.retriable(id, new OutboxException("exchange '" + missingExchange
                            + "' does not exist on RabbitMQ at " + endpoint + " (it was deleted)", cause))
                    : PublishOutcome.unavailable(id, new OutboxException("the channel to RabbitMQ at " + endpoint
                            + " closed before the broker confirmed event " + id, cause)));
        }
    }

    /** Returns the exchange named by a channel closed with 404 NOT_FOUND, else {@code null}. */
    private static String missingExchange(ShutdownSignalException cause) {
        if (cause.isHardError() || !(cause.getReason() instanceof AMQP.Channel.Close close)
                || close.getReplyCode() != NOT_FOUND) {
            return null;
        }
        String text = close.getReplyText();
        int start = text.indexOf("exchange '");
        int end = start < 0 ? -1 : text.indexOf('\'', start + 10);
        return end < 0 ? null : text.substring(start + 10, end);
    }

    /** Closes the connection without waiting longer than {@code timeoutMillis}; never throws. */
    void abort(int timeoutMillis) {
        connection.abort(timeoutMillis);
    }
}
