package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox events to RabbitMQ with publisher confirms, one message per event: exchange
 * from the {@link ExchangeNaming} (default {@code outbox.event.<aggregateType>}), routing key =
 * aggregate id, persistent (delivery mode 2), mandatory, properties {@code message-id} = event
 * id, {@code type} = event type, {@code content-type} = the event's, {@code timestamp} = when it
 * occurred (seconds), headers = the event's own (trace context and the aggregate sequence
 * {@value OutboxEvent#SEQUENCE_HEADER} among them), body = the payload.
 *
 * <pre>{@code
 * OutboxEventPublisher publisher = RabbitMqOutboxEventPublisher.create(RabbitMqPublisherConfig.builder()
 *         .uri("amqp://guest:guest@localhost:5672")
 *         .exchangeTemplate("orders")
 *         .build());
 * }</pre>
 *
 * <p>Delivery: one connection with one channel in confirm mode, published on by one thread in
 * call order, so an aggregate's events reach the broker in order; calls are pipelined (the next
 * batch is sent while the previous one awaits its confirms). An ack is {@code PUBLISHED}; a
 * message the broker returned as unroutable ({@code basic.return}: no queue bound for its routing
 * key) is {@code PERMANENT_FAILURE} with an {@link UnroutableEventException} naming the exchange
 * and routing key; a nack, a missing exchange, a name RabbitMQ cannot take are the event's own
 * failures; a connection that cannot be opened, a channel or connection closing before the
 * confirm, or no confirm within the publish timeout are {@code UNAVAILABLE} (no attempt counted).
 * Once an event of an aggregate failed other than permanently, the aggregate's later events in
 * the call are not sent, or, if confirmed anyway, reported {@code NOT_ATTEMPTED}.
 *
 * <p>Exchanges: by default the publisher expects them to exist and checks each once per
 * connection ({@code exchange.declare passive}); with {@link RabbitMqPublisherConfig.Builder#declareExchanges} it
 * declares them durable itself. Queues and bindings are the consumers' business.
 *
 * <p>Recovery: the client's automatic recovery is off. A recovered channel restarts its publish
 * sequence numbers, so confirms of a batch in flight could not be told apart; instead, when the
 * connection drops, every message without a confirm is reported {@code UNAVAILABLE} at once, and
 * the next publish call opens a new connection (bounded by the connection timeout).
 *
 * <p>Time bound: every call completes within
 * {@link RabbitMqPublisherConfig.Builder#publishTimeout} (default 10 s) of the call, whatever the
 * broker does; that is {@link #maxPublishDuration()}. A confirm timeout closes the connection, so
 * the next call starts on a fresh one.
 *
 * <p>Thread-safe: several threads may publish at once.
 */
public final class RabbitMqOutboxEventPublisher implements OutboxEventPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqOutboxEventPublisher.class);

    private final RabbitMqPublisherConfig config;
    private final ConnectionFactory factory;
    private final ExecutorService sender;
    private final ScheduledExecutorService deadlines;
    /** The session in use; replaced only on the sender thread, aborted from the deadline thread. */
    private volatile ConfirmSession session;
    /** Whether the last connection attempt failed, so an outage is logged once, not per batch; sender thread only. */
    private boolean unreachable;
    private volatile boolean closed;

    /**
     * Creates a publisher from validated settings; the constructor containers call. It connects
     * lazily, on the first publish: the broker need not be up yet.
     *
     * @param config the settings, built by {@link RabbitMqPublisherConfig#builder()}
     */
    @Inject
    public RabbitMqOutboxEventPublisher(RabbitMqPublisherConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.factory = config.newConnectionFactory();
        this.sender = Executors.newSingleThreadExecutor(daemon("outbox-rabbitmq-sender"));
        this.deadlines = Executors.newSingleThreadScheduledExecutor(daemon("outbox-rabbitmq-deadline"));
        LOG.info("RabbitMQ outbox publisher started: {}", config);
    }

    /**
     * Creates a publisher from validated settings; see
     * {@link #RabbitMqOutboxEventPublisher(RabbitMqPublisherConfig)}.
     */
    public static RabbitMqOutboxEventPublisher create(RabbitMqPublisherConfig config) {
        return new RabbitMqOutboxEventPublisher(config);
    }

    /** Returns the publisher's settings. */
    public RabbitMqPublisherConfig config() {
        return config;
    }

    /**
     * Hands the batch to the sending thread and completes once every event has an outcome, in
     * list order; never blocks the caller on the broker.
     *
     * @param events the events; an empty list completes at once with no outcomes
     * @return a stage that always completes normally, with one outcome per event, within
     *     {@link #maxPublishDuration()}; after {@link #close()} every outcome is {@code UNAVAILABLE}
     */
    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (closed) {
            return CompletableFuture.completedFuture(DeliveryPolicy.unavailable(events,
                    new OutboxException("the RabbitMQ publisher is closed")));
        }
        RabbitBatch batch = new RabbitBatch(events, config.publishTimeout());
        try {
            ScheduledFuture<?> deadline = deadlines.schedule(() -> expire(batch),
                    config.publishTimeout().toNanos(), TimeUnit.NANOSECONDS);
            batch.stage().whenComplete((outcomes, error) -> deadline.cancel(false));
            sender.execute(() -> send(batch));
        } catch (RejectedExecutionException e) {
            batch.expire();
        }
        return batch.stage();
    }

    /** Returns {@link RabbitMqPublisherConfig#publishTimeout()}: no call takes longer. */
    @Override
    public Duration maxPublishDuration() {
        return config.publishTimeout();
    }

    /**
     * Stops taking batches, waits up to the publish timeout for those taken to get their
     * outcomes, then closes the connection. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sender.shutdown();
        try {
            if (!sender.awaitTermination(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // batches still waiting for confirms get them, or their deadline, before the connection goes
        deadlines.shutdown();
        try {
            deadlines.awaitTermination(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (session != null) {
            session.abort(timeoutMillis());
        }
        LOG.info("RabbitMQ outbox publisher closed");
    }

    private void expire(RabbitBatch batch) {
        if (batch.expire()) {
            ConfirmSession suspect = session;
            if (suspect != null) {
                LOG.warn("RabbitMQ publish: no confirm within {}; closing the connection to {}, the next publish "
                        + "reconnects", config.publishTimeout(), config.endpoint());
                // off this thread: the abort waits up to connectionTimeout, other batches' deadlines must not;
                // it also frees a sender blocked writing to a broker that stopped reading (a resource alarm)
                CompletableFuture.runAsync(() -> suspect.abort(timeoutMillis()));
            }
        }
    }

    /** Runs on the sender thread. */
    private void send(RabbitBatch batch) {
        if (batch.isDone()) {
            return;
        }
        ConfirmSession current;
        try {
            current = session();
        } catch (Exception e) {
            OutboxException error = new OutboxException("cannot connect to RabbitMQ at " + config.endpoint(), e);
            if (!unreachable) {
                unreachable = true;
                LOG.warn("RabbitMQ outbox publisher cannot connect to {}: {}; events stay unpublished (UNAVAILABLE) "
                        + "until it answers", config.endpoint(), String.valueOf(e));
            }
            for (int i = 0; i < batch.events().size(); i++) {
                batch.complete(i, PublishOutcome.unavailable(batch.event(i).id(), error));
            }
            return;
        }
        new BatchSender(batch, current, config.exchangeNaming(), config.declaredExchangeType()).sendAll();
    }

    private ConfirmSession session() throws Exception {
        if (session != null && session.isOpen()) {
            return session;
        }
        dropSession();
        session = ConfirmSession.open(factory, config.connectionName(), config.endpoint());
        unreachable = false;
        LOG.info("RabbitMQ outbox publisher connected to {}", config.endpoint());
        return session;
    }

    private void dropSession() {
        if (session != null) {
            session.abort(timeoutMillis());
            session = null;
        }
    }

    private int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, config.connectionTimeout().toMillis());
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
