package dev.outbox.core.spi;

import dev.outbox.core.OutboxEvent;
import java.util.Objects;

/**
 * Identifies an aggregate: its type and its id together, since ids are unique only within a
 * type ({@code Order/42} and {@code Customer/42} are unrelated). The one key every per-aggregate
 * rule uses: order, holding back successors, claims. Immutable and thread-safe.
 *
 * @param type the aggregate type
 * @param id   the aggregate id
 */
public record AggregateKey(String type, String id) {

    /** Validates the fields. */
    public AggregateKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
    }

    /** Returns the key of the aggregate {@code event} belongs to. */
    public static AggregateKey of(OutboxEvent event) {
        return new AggregateKey(event.aggregateType(), event.aggregateId());
    }

    /** Returns {@code type/id}. */
    @Override
    public String toString() {
        return type + '/' + id;
    }
}
