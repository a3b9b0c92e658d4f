package dev.outbox.order.app;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link OutboxEventPublisher} that only logs each event (id, type, aggregate, destination
 * topic and payload size, never the payload) and reports it published: the swap the
 * publisher port promises, selected with {@code PUBLISHER=log}. Useful to run the service
 * without a broker. Thread-safe.
 */
public final class LogOutboxEventPublisher implements OutboxEventPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(LogOutboxEventPublisher.class);

    private final Function<OutboxEvent, String> topics;
    private final AtomicLong published = new AtomicLong();

    /**
     * Creates the publisher.
     *
     * @param topics names the topic each event would go to, for the log line
     */
    public LogOutboxEventPublisher(Function<OutboxEvent, String> topics) {
        this.topics = topics;
    }

    /** Logs every event and completes at once with every event published. */
    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        for (OutboxEvent event : events) {
            LOG.info("Event {} {} of {} {} -> topic {} ({} bytes, {})", event.id(), event.eventType(),
                    event.aggregateType(), event.aggregateId(), topics.apply(event), event.payloadSize(),
                    event.contentType());
        }
        published.addAndGet(events.size());
        return CompletableFuture.completedFuture(events.stream().map(e -> PublishOutcome.published(e.id())).toList());
    }

    /** Returns how many events this publisher has logged. */
    public long publishedCount() {
        return published.get();
    }
}
