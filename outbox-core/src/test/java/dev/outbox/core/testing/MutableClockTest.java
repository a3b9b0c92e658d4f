package dev.outbox.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MutableClockTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void standsStillUntilAdvanced_thenMovesByExactlyTheDuration() {
        MutableClock clock = MutableClock.at(START);
        assertThat(clock.instant()).isEqualTo(START);
        assertThat(clock.millis()).isEqualTo(START.toEpochMilli());

        clock.advance(Duration.ofSeconds(61));

        assertThat(clock.instant()).isEqualTo(START.plusSeconds(61));
    }

    @Test
    void isInUtc_andAZonedCopyIsTheSameMovingClock() {
        MutableClock clock = MutableClock.at(START);

        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(clock.withZone(ZoneId.of("Europe/Berlin"))).isSameAs(clock);
    }
}
