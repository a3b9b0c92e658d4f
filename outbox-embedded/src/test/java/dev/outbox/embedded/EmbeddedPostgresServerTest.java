package dev.outbox.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresServerTest {
    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void startServer() {
        postgres = EmbeddedPostgresServer.builder().start();
    }

    @AfterAll
    static void closeServer() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void startedServer_hasLogicalReplicationEnabled() throws SQLException {
        assertThat(query("SHOW wal_level")).containsExactly("logical");
        assertThat(query("SHOW max_replication_slots")).containsExactly("10");
        assertThat(query("SHOW max_wal_senders")).containsExactly("10");
    }

    @Test
    void startedServer_canCreateAPgoutputReplicationSlot() throws SQLException {
        execute("SELECT pg_create_logical_replication_slot('embedded_test_slot', 'pgoutput')");
        try {
            assertThat(query("SELECT plugin FROM pg_replication_slots WHERE slot_name = 'embedded_test_slot'"))
                    .containsExactly("pgoutput");
        } finally {
            execute("SELECT pg_drop_replication_slot('embedded_test_slot')");
        }
    }

    @Test
    void stoppedServer_restartsOnTheSamePortWithItsDataKept() throws SQLException {
        postgres.createDatabase("restart_test");
        try (Connection connection = postgres.dataSource("restart_test").getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (value text)");
            statement.execute("INSERT INTO kept VALUES ('before restart')");
        }
        String url = postgres.jdbcUrl("restart_test");

        postgres.stop();
        assertThat(postgres.isRunning()).isFalse();
        postgres.start();

        assertThat(postgres.jdbcUrl("restart_test")).isEqualTo(url);
        try (Connection connection = java.sql.DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT value FROM kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("before restart");
        }
    }

    private static List<String> query(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = postgres.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = postgres.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
