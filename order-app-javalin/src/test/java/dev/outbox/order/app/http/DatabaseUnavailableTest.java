package dev.outbox.order.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** Which failures are answered 503 (database unavailable) rather than 500. */
class DatabaseUnavailableTest {
    @Test
    void poolTimeoutsRefusedConnectionsConnectionAndShutdownStatesAreUnavailable() {
        assertThat(DatabaseUnavailable.causedBy(new RuntimeException(new SQLTransientConnectionException(
                "orders-db - Connection is not available, request timed out after 1000ms")))).isTrue();
        assertThat(DatabaseUnavailable.causedBy(new RuntimeException(new ConnectException("refused")))).isTrue();
        for (String state : new String[] {"08001", "08006", "57P01", "57P02", "57P03", "53300"}) {
            assertThat(DatabaseUnavailable.causedBy(new IllegalStateException(new SQLException("x", state))))
                    .as(state).isTrue();
        }
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(DatabaseUnavailable.causedBy(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new SQLException("syntax", "42601"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new SQLException("no state"))).isFalse();
        assertThat(DatabaseUnavailable.causedBy(new IllegalStateException("bug"))).isFalse();
    }
}
