package dev.outbox.core.spi;

import dev.outbox.core.OutboxEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Delivers events to a broker: the port the Kafka adapter implements, and the one to swap for
 * another broker or a log-only publisher.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #publish} sends the whole batch asynchronously and completes once every event
 *       has an outcome; it never waits per event. Events of one aggregate arrive in list order
 *       and must reach the broker in that order.
 *   <li>The returned list has one outcome per event, in the same order as {@code events}.
 *   <li>{@link PublishOutcome.Status#PUBLISHED} means the broker acknowledged the event
 *       durably. When in doubt, report a failure: the relay sends the event again
 *       (at-least-once), whereas a false success loses it.
 *   <li>Report whose fault a failure is (see {@link PublishOutcome.Status}): the event's own
 *       ({@code RETRIABLE_FAILURE}, {@code PERMANENT_FAILURE}), the broker's
 *       ({@code UNAVAILABLE}), or not tried ({@code NOT_ATTEMPTED}). A stage completed
 *       exceptionally counts as {@code UNAVAILABLE} for every event.
 *   <li>Once an event of an aggregate failed (other than permanently), its later events in the
 *       call must not be sent; report them {@code NOT_ATTEMPTED}
 *       ({@link DeliveryPolicy#holdBackSuccessors} applies the rule to a call's outcomes).
 *   <li>The stage must complete in bounded time (the adapter bounds its own timeouts), and
 *       within {@link #maxPublishDuration()} of the call when that is declared.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface OutboxEventPublisher extends AutoCloseable {

    /**
     * Publishes a batch.
     *
     * @param events the events, non-empty, per-aggregate order as they must arrive
     * @return a stage completing with one outcome per event, in order
     */
    CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events);

    /**
     * Returns the longest a {@link #publish} call can take, from the call until its stage
     * completes, as the publisher bounds itself. Relays refuse to start with a publish timeout
     * shorter than this. Default {@link Duration#ZERO}: not declared, nothing to check.
     */
    default Duration maxPublishDuration() {
        return Duration.ZERO;
    }

    /** Releases the publisher's resources (flushing what it has accepted). Default: nothing. */
    @Override
    default void close() {
    }
}
