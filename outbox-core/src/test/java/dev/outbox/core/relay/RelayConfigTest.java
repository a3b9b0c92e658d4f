package dev.outbox.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.RecordingPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RelayConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        RelayConfig config = RelayConfig.defaults();

        assertThat(config.batchSize()).isEqualTo(500);
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.maxAttempts()).isEqualTo(10);
        assertThat(config.lease()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.outageBackoff().initial()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.outageBackoff().max()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.stopTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.backlogSampleInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.backoff().initial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.backoff().multiplier()).isEqualTo(2.0);
        assertThat(config.backoff().max()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.backoff().jitter()).isEqualTo(0.2);
        assertThat(config.listener()).isSameAs(RelayListener.NO_OP);
        assertThat(config.clock()).isEqualTo(Clock.systemUTC());
        assertThat(config.claimant()).matches(".+-" + ProcessHandle.current().pid() + "-[0-9a-f]{6}");
    }

    @Test
    void defaultClaimantsDifferBetweenRelays() {
        assertThat(RelayConfig.defaults().claimant()).isNotEqualTo(RelayConfig.defaults().claimant());
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        assertRefused(b -> b.batchSize(0), "batchSize");
        assertRefused(b -> b.maxAttempts(0), "maxAttempts");
        assertRefused(b -> b.pollInterval(Duration.ZERO), "pollInterval");
        assertRefused(b -> b.lease(Duration.ofSeconds(-1)), "lease");
        assertRefused(b -> b.publishTimeout(Duration.ZERO), "publishTimeout");
        assertRefused(b -> b.stopTimeout(Duration.ZERO), "stopTimeout");
        assertRefused(b -> b.backlogSampleInterval(Duration.ZERO), "backlogSampleInterval");
        assertRefused(b -> b.claimant(" "), "claimant");
    }

    @Test
    void aLeaseTooShortToRenewIsRefused() {
        assertThatThrownBy(() -> RelayConfig.builder().lease(Duration.ofMillis(999)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("lease must be at least PT1S").hasMessageContaining("lease / 3");
    }

    @Test
    void aLeaseShorterThanThePublishTimeoutIsAccepted_becauseTheRelayRenewsIt() {
        RelayConfig config = RelayConfig.builder().lease(Duration.ofSeconds(15))
                .publishTimeout(Duration.ofSeconds(60)).build();

        assertThat(config.lease()).as("kept as set, not raised to the publish timeout").isEqualTo(Duration.ofSeconds(15));
        assertThat(RelayCycle.renewalInterval(config.lease())).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void missingSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> RelayConfig.builder().listener(null).build()).hasMessageContaining("listener");
        assertThatThrownBy(() -> RelayConfig.builder().clock(null).build()).hasMessageContaining("clock");
        assertThatThrownBy(() -> RelayConfig.builder().backoff(null).build()).hasMessageContaining("backoff");
        assertThatThrownBy(() -> RelayConfig.builder().outageBackoff(null).build())
                .hasMessageContaining("outageBackoff");
    }

    @Test
    void theRelayBuilderPassesEverySettingThrough() {
        RelayListener listener = new RelayListener() { };
        BackoffPolicy backoff = BackoffPolicy.defaults().withJitter(0);
        BackoffPolicy outageBackoff = BackoffPolicy.defaults().withJitter(0.1);
        OutboxRelay relay = OutboxRelay.create(InMemoryOutboxStore.create(), RecordingPublisher.create(), RelayConfig.builder()
                .batchSize(7).pollInterval(Duration.ofMillis(70)).maxAttempts(3).backoff(backoff)
                .outageBackoff(outageBackoff)
                .lease(Duration.ofSeconds(9)).publishTimeout(Duration.ofSeconds(8))
                .stopTimeout(Duration.ofSeconds(6)).backlogSampleInterval(Duration.ofSeconds(4))
                .claimant("relay-1").listener(listener).clock(Clock.systemDefaultZone()).build());

        assertThat(relay.config()).isEqualTo(new RelayConfig(7, Duration.ofMillis(70), 3, backoff, outageBackoff,
                Duration.ofSeconds(9), Duration.ofSeconds(8), Duration.ofSeconds(6), Duration.ofSeconds(4),
                "relay-1", listener, Clock.systemDefaultZone()));
    }

    private static void assertRefused(UnaryOperator<RelayConfig.Builder> setting, String name) {
        assertThatThrownBy(() -> setting.apply(RelayConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(name);
    }
}
