package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.testkit.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaderSessionsTest {

    @Test
    void keepAlive_asksTheServerToDropAVanishedLeadersSessionWithinAboutLeaderTimeout() throws Exception {
        try (Connection lock = TestDatabase.embedded().dataSource().getConnection()) {
            LeaderSessions.keepAlive(lock, Duration.ofSeconds(30));

            // Idle 15 s, then 3 probes 5 s apart; unacknowledged data for 30 s also ends it.
            assertThat(show(lock, "tcp_keepalives_idle")).isEqualTo("15");
            assertThat(show(lock, "tcp_keepalives_interval")).isEqualTo("5");
            assertThat(show(lock, "tcp_keepalives_count")).isEqualTo("3");
            assertThat(show(lock, "tcp_user_timeout")).isEqualTo("30000"); // milliseconds
        }
    }

    private static String show(Connection connection, String setting) throws Exception {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
