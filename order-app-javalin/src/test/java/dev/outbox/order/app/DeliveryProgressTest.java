package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.spi.OutboxBacklog;
import dev.outbox.core.testing.MutableClock;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the relay of this process counts as stalled, fed as {@link RelayMetrics} feeds it. */
class DeliveryProgressTest {
    private static final Duration THRESHOLD = Duration.ofSeconds(60);
    private static final OutboxBacklog EMPTY = new OutboxBacklog(0, Optional.empty(), 0);
    private final MutableClock clock = MutableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final DeliveryProgress progress = new DeliveryProgress(clock);

    /** A backlog whose oldest event is as old as the clock's "now" minus {@code age}. */
    private OutboxBacklog waiting(long pending, Duration age) {
        return new OutboxBacklog(pending, Optional.of(clock.instant().minus(age)), 0);
    }

    /** Reports {@code times} store calls that failed as a lost connection fails. */
    private void storeFails(int times) {
        for (int i = 0; i < times; i++) {
            progress.storeFailed(new SQLException("down", "08006"));
        }
    }

    @Test
    void eventsWaitingWithoutAnyDeliveryLongerThanTheThresholdStallTheRelay() {
        progress.sampled(waiting(5, Duration.ZERO));
        clock.advance(Duration.ofSeconds(30));
        progress.delivered();
        clock.advance(Duration.ofSeconds(59));
        assertThat(progress.stalls(waiting(4, Duration.ofSeconds(10)), true, THRESHOLD)).isEmpty();

        clock.advance(Duration.ofSeconds(2));

        assertThat(progress.stalls(waiting(4, Duration.ofSeconds(10)), true, THRESHOLD))
                .singleElement().asString().startsWith("no event delivered for 61.0 s while 4 wait");
        assertThat(progress.stalls(waiting(4, Duration.ofSeconds(10)), false, THRESHOLD))
                .as("without a relay here only the oldest event's age counts").isEmpty();
    }

    @Test
    void anIdleRelayIsNotStalledWhenWorkArrivesLongAfterItsLastDelivery() {
        clock.advance(Duration.ofHours(1));

        assertThat(progress.stalls(waiting(1, Duration.ofMillis(5)), true, THRESHOLD)).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        progress.delivered();
        assertThat(progress.stalls(EMPTY, true, THRESHOLD)).isEmpty();
    }

    @Test
    void repeatedStoreFailuresStallTheRelayUntilAStoreCallSucceeds() {
        storeFails(2);
        assertThat(progress.stalls(EMPTY, true, THRESHOLD)).isEmpty();

        storeFails(1);
        assertThat(progress.stalls(EMPTY, true, THRESHOLD))
                .containsExactly("the relay's last 3 store calls failed (last: SQLException)");

        progress.storeAnswered();
        assertThat(progress.stalls(EMPTY, true, THRESHOLD)).isEmpty();
    }

    @Test
    void aZeroThresholdTurnsTheCheckOff() {
        storeFails(3);

        assertThat(progress.stalls(waiting(9, Duration.ofHours(2)), true, Duration.ZERO)).isEmpty();
    }
}
