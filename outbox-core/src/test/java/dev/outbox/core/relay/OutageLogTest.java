package dev.outbox.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxException;
import dev.outbox.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A relay stuck on a failing store keeps saying so, at most once a minute, and says when it recovers (issue 11). */
class OutageLogTest {
    private final MutableClock clock = MutableClock.at(Instant.parse("2026-03-01T12:00:00Z"));
    private final RecordingLogger logger = new RecordingLogger();
    private final OutageLog log = new OutageLog(logger, "r1", "store", "events wait in the store", clock);
    private final OutboxException error = new OutboxException("connection refused");

    @Test
    void aStoreThatKeepsFailing_isLoggedOnceAMinuteWithTheCountAndTheTimeSinceTheFirstFailure() {
        // a failure every 10 s for 3 minutes: 19 failures, the first at 0 s
        for (int second = 0; second <= 180; second += 10) {
            log.failed("a store call failed; backing off and retrying", error, true);
            clock.advance(Duration.ofSeconds(10));
        }

        assertThat(logger.lines).containsExactly(
                "WARN outbox relay r1: store unavailable, a store call failed; backing off and retrying: "
                        + "OutboxException: connection refused",
                "WARN outbox relay r1: store still unavailable after 7 failures in 60 s; events wait in the store: "
                        + "OutboxException: connection refused",
                "WARN outbox relay r1: store still unavailable after 13 failures in 120 s; events wait in the store: "
                        + "OutboxException: connection refused",
                "WARN outbox relay r1: store still unavailable after 19 failures in 180 s; events wait in the store: "
                        + "OutboxException: connection refused");
        assertThat(log.consecutive()).isEqualTo(19);
    }

    @Test
    void recoveryIsLoggedOnce_andTheNextFailureStartsANewOutage() {
        log.failed("first", error, false);
        clock.advance(Duration.ofSeconds(42));
        log.failed("first", error, false);

        log.succeeded();
        log.succeeded();
        log.failed("first", error, false);

        assertThat(logger.lines).containsExactly(
                "WARN outbox relay r1: store unavailable, first: OutboxException: connection refused",
                "INFO outbox relay r1: store reachable again after 2 failures in 42 s",
                "WARN outbox relay r1: store unavailable, first: OutboxException: connection refused");
        assertThat(log.consecutive()).isEqualTo(1);
    }
}
