package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.embedded.EmbeddedPostgresServer;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class WalLevelCheckTest {

    @Test
    void givenWalLevelReplica_startFailsWithAMessageNamingTheSettingAndTheFix() {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.builder()
                .serverConfig("wal_level", "replica").start()) {
            OutboxSchema.create(Jdbi.create(postgres.dataSource()), OutboxTable.DEFAULT);
            LogTailingRelay relay = LogTailingRelay.create(postgres.dataSource(), RecordingPublisher.create());

            assertThatThrownBy(relay::start)
                    .isInstanceOf(ReplicationSetupException.class)
                    .hasMessageContaining("wal_level is 'replica'")
                    .hasMessageContaining("wal_level = logical")
                    .hasMessageContaining("restart PostgreSQL");
            assertThat(relay.isRunning()).isFalse();
        }
    }
}
