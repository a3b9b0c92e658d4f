package dev.outbox.core.spi;

import dev.outbox.core.OutboxEvent;
import java.util.Objects;

/**
 * An event a relay has claimed from the store, with its delivery history.
 *
 * @param event    the event
 * @param attempts failed delivery attempts so far (0 on the first try)
 */
public record ClaimedEvent(OutboxEvent event, int attempts) {
    /** Validates the fields. */
    public ClaimedEvent {
        Objects.requireNonNull(event, "event");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0, got " + attempts);
        }
    }
}
