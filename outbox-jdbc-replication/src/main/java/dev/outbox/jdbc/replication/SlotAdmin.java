package dev.outbox.jdbc.replication;

import dev.outbox.jdbc.OutboxTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks and manages the database side of the relay: {@code wal_level}, the publication, the
 * slot, the lag query and the leader lock key (the lock's own SQL is {@link LeaderSessions}').
 * Stateless; every method works on the connection it is given.
 */
final class SlotAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(SlotAdmin.class);
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String DUPLICATE_OBJECT = "42710";

    private SlotAdmin() {
    }

    static String requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a lower-case identifier matching [a-z_][a-z0-9_]* of at "
                    + "most 63 characters, got '" + value + "'");
        }
        return value;
    }

    /** The advisory lock key for a slot: the first 8 bytes of SHA-256 of a fixed prefix and the slot name. */
    static long lockKey(String slotName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("dev.outbox.jdbc.replication:" + slotName).getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (digest[i] & 0xff);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * Fails unless {@code wal_level} is {@code logical}.
     *
     * @throws ReplicationSetupException naming the setting and the fix
     */
    static void requireLogicalWal(Connection connection) throws SQLException {
        String level = single(connection, "SHOW wal_level");
        if (!"logical".equals(level)) {
            throw new ReplicationSetupException("PostgreSQL setting wal_level is '" + level + "' but the log-tailing "
                    + "relay needs wal_level = logical: run ALTER SYSTEM SET wal_level = logical (or set it in "
                    + "postgresql.conf), make sure max_replication_slots and max_wal_senders are at least 1, and "
                    + "restart PostgreSQL", null);
        }
    }

    /** Creates the publication (inserts only, on the outbox table only) unless it exists; checks an existing one. */
    static void ensurePublication(Connection connection, String publication, OutboxTable table) throws SQLException {
        if (!exists(connection, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table.qualifiedName()
                        + " WITH (publish = 'insert')");
                LOG.info("Created publication {} for table {}", publication, table);
            } catch (SQLException e) {
                if (!DUPLICATE_OBJECT.equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
        List<String> tables = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            query.setString(1, publication);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        if (!tables.contains(table.qualifiedName())) {
            throw new ReplicationSetupException("publication " + publication + " exists but does not cover the outbox "
                    + "table " + table + " (it covers " + tables + "): choose another publicationName or drop it "
                    + "with DROP PUBLICATION " + publication, null);
        }
    }

    /** Creates the logical slot with the pgoutput plugin unless it exists. */
    static void ensureSlot(Connection connection, String slot) throws SQLException {
        if (exists(connection, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slot)) {
            return;
        }
        try (PreparedStatement create = connection.prepareStatement(
                "SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            create.setString(1, slot);
            create.execute();
            LOG.info("Created logical replication slot {} (pgoutput)", slot);
        } catch (SQLException e) {
            if (!DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /** Drops the slot and the publication when they exist; returns whether the slot existed. */
    static boolean drop(Connection connection, String slot, String publication) throws SQLException {
        boolean existed = false;
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, slot);
            try (ResultSet rs = query.executeQuery()) {
                if (rs.next()) {
                    existed = true;
                    if (rs.getObject(1) != null) {
                        throw new IllegalStateException("replication slot " + slot + " is in use by PID "
                                + rs.getInt(1) + ": stop the relay (every instance) before dropping the slot");
                    }
                }
            }
        }
        if (existed) {
            try (PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                drop.setString(1, slot);
                drop.execute();
            }
            LOG.info("Dropped replication slot {}", slot);
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP PUBLICATION IF EXISTS " + publication);
        }
        return existed;
    }

    /** Measures the slot's retained WAL; {@code age} comes from the caller. */
    static ReplicationLag lag(Connection connection, String slot, Duration age) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, confirmed_flush_lsn::text, "
                        + "active FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, slot);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    return new ReplicationLag(-1, age, null, false, Instant.now());
                }
                return new ReplicationLag(rs.getLong(1), age, rs.getString(2), rs.getBoolean(3), Instant.now());
            }
        }
    }

    /** Writes a non-transactional logical message so an idle slot has WAL to advance over. */
    static void heartbeat(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_logical_emit_message(false, 'outbox.heartbeat', '')");
        }
    }

    private static boolean exists(Connection connection, String sql, String parameter) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, parameter);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
