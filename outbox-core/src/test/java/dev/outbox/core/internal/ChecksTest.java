package dev.outbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void goodValues_areReturned() {
        assertThat(Checks.positive(Duration.ofMillis(1), "lease")).isEqualTo(Duration.ofMillis(1));
        assertThat(Checks.notNegative(Duration.ZERO, "retention")).isZero();
        assertThat(Checks.atLeast(1, 1, "batchSize")).isEqualTo(1);
        assertThat(Checks.nonBlank(" a", "claimant")).isEqualTo(" a");
        assertThat(Checks.notNull("x", "clock")).isEqualTo("x");
    }

    @Test
    void badValues_areRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> Checks.positive(Duration.ZERO, "lease"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("lease must be positive, got PT0S");
        assertThatThrownBy(() -> Checks.positive(Duration.ofSeconds(-1), "lease"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("lease must be positive, got PT-1S");
        assertThatThrownBy(() -> Checks.positive(null, "lease"))
                .isInstanceOf(NullPointerException.class).hasMessage("lease must not be null");
        assertThatThrownBy(() -> Checks.notNegative(Duration.ofMillis(-1), "retention"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("retention must not be negative, got PT-0.001S");
        assertThatThrownBy(() -> Checks.atLeast(0, 1, "batchSize"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be at least 1, got 0");
        assertThatThrownBy(() -> Checks.nonBlank(" ", "claimant"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("claimant must not be blank");
        assertThatThrownBy(() -> Checks.nonBlank(null, "claimant"))
                .isInstanceOf(NullPointerException.class).hasMessage("claimant must not be null");
        assertThatThrownBy(() -> Checks.notNull(null, "clock"))
                .isInstanceOf(NullPointerException.class).hasMessage("clock must not be null");
    }
}
