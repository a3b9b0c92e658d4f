package dev.outbox.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {

    @Test
    void withoutJitterDelaysDoubleFromOneSecondUpToFiveMinutes() {
        BackoffPolicy policy = BackoffPolicy.defaults().withJitter(0);

        assertThat(IntStream.rangeClosed(1, 11).mapToObj(policy::delay)).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(64), Duration.ofSeconds(128),
                Duration.ofSeconds(256), Duration.ofMinutes(5), Duration.ofMinutes(5));
        assertThat(policy.delay(10_000)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aCustomPolicyUsesItsOwnInitialMultiplierAndCap() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofMillis(100), 3, Duration.ofSeconds(2), 0);

        assertThat(IntStream.rangeClosed(1, 5).mapToObj(policy::delay)).containsExactly(Duration.ofMillis(100),
                Duration.ofMillis(300), Duration.ofMillis(900), Duration.ofMillis(2000), Duration.ofMillis(2000));
    }

    @Test
    void jitterStaysWithinTheFractionAndNeverExceedsTheCap() {
        BackoffPolicy policy = BackoffPolicy.defaults().withSeed(42);

        for (int i = 0; i < 1000; i++) {
            assertThat(policy.delay(3)).isBetween(Duration.ofMillis(3200), Duration.ofMillis(4800));
            assertThat(policy.delay(20)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5));
        }
    }

    @Test
    void jitterActuallySpreadsTheDelays() {
        BackoffPolicy policy = BackoffPolicy.defaults().withSeed(7);

        assertThat(IntStream.range(0, 100).mapToObj(i -> policy.delay(1)).distinct().count()).isGreaterThan(50);
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        BackoffPolicy first = BackoffPolicy.defaults().withSeed(99);
        BackoffPolicy second = BackoffPolicy.defaults().withSeed(99);

        assertThat(IntStream.rangeClosed(1, 8).mapToObj(first::delay))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 8).mapToObj(second::delay).toList());
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> BackoffPolicy.exponential(Duration.ZERO, 2, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial");
        assertThatThrownBy(() -> BackoffPolicy.exponential(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> BackoffPolicy.exponential(Duration.ofSeconds(2), 2, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max");
        assertThatThrownBy(() -> BackoffPolicy.defaults().withJitter(1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> BackoffPolicy.defaults().delay(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failedAttempts");
    }
}
