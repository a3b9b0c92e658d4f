package dev.outbox.order.app;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.rabbitmq.ExchangeNaming;
import dev.outbox.rabbitmq.RabbitMqOutboxEventPublisher;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUBLISHER=rabbitmq}: the publisher, the queue the service binds to the Order exchange,
 * and {@code consume} reading that queue. Everything RabbitMQ-specific in the app lives here.
 */
final class RabbitMqWiring {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqWiring.class);
    /** The Order service's one aggregate type, whose exchange the queue is bound to. */
    static final String ORDER_AGGREGATE = "Order";

    private RabbitMqWiring() {
    }

    /**
     * Builds the publisher and, best effort, declares the queue bound to the Order exchange (so an
     * event never finds no queue and is dead-lettered as unroutable); a broker that is down at
     * start is retried by the publisher, and the queue is declared again by {@code consume}.
     */
    static OutboxEventPublisher publisher(RabbitMqSettings settings) {
        try {
            declareQueue(settings);
        } catch (Exception e) {
            LOG.warn("Could not declare RabbitMQ queue {} at start ({}); events published before it is bound are "
                    + "unroutable", settings.queue(), e.toString());
        }
        return RabbitMqOutboxEventPublisher.create(settings.publisherConfig());
    }

    /** Declares the durable queue and binds it with {@code #} to the exchange of Order events (declaring that too). */
    static void declareQueue(RabbitMqSettings settings) throws Exception {
        try (Connection connection = factory(settings).newConnection("order-service-setup");
             Channel channel = connection.createChannel()) {
            declareQueue(settings, channel);
        }
    }

    private static String declareQueue(RabbitMqSettings settings, Channel channel) throws Exception {
        String exchange = orderExchange(settings);
        channel.exchangeDeclare(exchange, settings.declareExchanges().orElse(BuiltinExchangeType.TOPIC), true);
        channel.queueDeclare(settings.queue(), true, false, false, null);
        channel.queueBind(settings.queue(), exchange, "#");
        return exchange;
    }

    /** Returns the exchange the template gives Order events (the app's template must not depend on the event type to bind one queue). */
    static String orderExchange(RabbitMqSettings settings) {
        OutboxEvent sample = OutboxEvent.json(ORDER_AGGREGATE, "sample", "OrderCreated", "{}");
        return ExchangeNaming.template(settings.exchangeTemplate()).exchangeFor(sample);
    }

    /**
     * {@code consume [--queue Q] [--max N] [--idle-seconds S]}: prints the events in the queue
     * (default {@code RABBITMQ_QUEUE}), acknowledging each after printing it.
     */
    static int consume(RabbitMqSettings settings, List<String> args, PrintStream out) throws InterruptedException {
        try {
            return consumeQueue(settings, args, out);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("consuming from RabbitMQ at " + settings.publisherConfig().endpoint()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static int consumeQueue(RabbitMqSettings settings, List<String> args, PrintStream out) throws Exception {
        Arguments parsed = Arguments.parse(args, Set.of("queue", "max", "idle-seconds"), Set.of());
        String queue = parsed.value("queue").orElse(settings.queue());
        int max = parsed.intValue("max", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        int idleSeconds = parsed.intValue("idle-seconds", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        int seen = 0;
        try (Connection connection = factory(settings).newConnection("order-cli");
             Channel channel = connection.createChannel()) {
            String exchange = queue.equals(settings.queue()) ? declareQueue(settings, channel) : "?";
            out.println("Consuming queue " + queue + " (bound to exchange " + exchange + ") from "
                    + settings.publisherConfig().endpoint());
            Instant last = Instant.now();
            while (seen < max && Duration.between(last, Instant.now()).toSeconds() < idleSeconds) {
                GetResponse message = channel.basicGet(queue, false);
                if (message == null) {
                    Thread.sleep(200);
                    continue;
                }
                last = Instant.now();
                out.println(format(message));
                channel.basicAck(message.getEnvelope().getDeliveryTag(), false);
                seen++;
            }
        }
        out.println(seen + " event(s) consumed.");
        return 0;
    }

    static String format(GetResponse message) {
        Map<String, Object> headers = message.getProps().getHeaders();
        Object sequence = headers == null ? null : headers.get(OutboxEvent.SEQUENCE_HEADER);
        return message.getEnvelope().getExchange() + " " + message.getProps().getType() + " id="
                + message.getProps().getMessageId() + " key=" + message.getEnvelope().getRoutingKey()
                + (sequence != null ? " sequence=" + sequence : "")
                + "\n  " + new String(message.getBody(), StandardCharsets.UTF_8);
    }

    private static ConnectionFactory factory(RabbitMqSettings settings) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(settings.uri());
        factory.setConnectionTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }
}
