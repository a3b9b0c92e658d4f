package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.relay.RelayDefaults;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The settings record alone: no database. */
class LogTailingRelayConfigTest {

    @Test
    void defaultsSharedWithThePollingRelay_comeFromRelayDefaults() {
        LogTailingRelayConfig config = LogTailingRelayConfig.defaults();

        assertThat(config.batchSize()).isEqualTo(RelayDefaults.BATCH_SIZE);
        assertThat(config.maxAttempts()).isEqualTo(RelayDefaults.MAX_ATTEMPTS);
        assertThat(config.publishTimeout()).isEqualTo(RelayDefaults.PUBLISH_TIMEOUT);
        assertThat(config.stopTimeout()).isEqualTo(RelayDefaults.STOP_TIMEOUT);
        assertThat(config.retention()).isEqualTo(RelayDefaults.RETENTION);
        assertThat(config.backoff()).usingRecursiveComparison().ignoringFields("random")
                .isEqualTo(RelayDefaults.backoff());
        assertThat(config.outageBackoff()).usingRecursiveComparison().ignoringFields("random")
                .isEqualTo(RelayDefaults.outageBackoff());
        assertThat(config.listener()).isSameAs(LogTailingRelayListener.NO_OP);
    }

    @Test
    void invalidSettings_areRefusedByBuildNamingTheSetting() {
        assertThatThrownBy(() -> LogTailingRelayConfig.builder().batchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> LogTailingRelayConfig.builder().heartbeatInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
        assertThatThrownBy(() -> LogTailingRelayConfig.builder().retention(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention");
        assertThatThrownBy(() -> LogTailingRelayConfig.builder().slotName("Bad-Name").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slotName");
        assertThatThrownBy(() -> LogTailingRelayConfig.builder().listener(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("listener");
    }

    @Test
    void aZeroStopTimeout_staysAllowed() {
        assertThat(LogTailingRelayConfig.builder().stopTimeout(Duration.ZERO).build().stopTimeout()).isZero();
    }
}
