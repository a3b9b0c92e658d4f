package dev.outbox.nats;

import dev.outbox.core.OutboxEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Small builders of test events, with the aggregate sequence a store would set. */
final class TestEvents {
    private static final AtomicLong SEQUENCE = new AtomicLong(1000);

    private TestEvents() {
    }

    static OutboxEvent event(String aggregateType, String aggregateId) {
        return OutboxEvent.json(aggregateType, aggregateId, "Changed", "{\"aggregate\":\"" + aggregateId + "\"}")
                .withSequence(SEQUENCE.incrementAndGet());
    }

    /** {@code perAggregate} events for each of {@code aggregates} aggregates, interleaved. */
    static List<OutboxEvent> interleaved(String aggregateType, int aggregates, int perAggregate) {
        List<OutboxEvent> events = new ArrayList<>();
        for (int n = 0; n < perAggregate; n++) {
            for (int a = 0; a < aggregates; a++) {
                events.add(event(aggregateType, "agg-" + a));
            }
        }
        return events;
    }
}
