package dev.outbox.spring;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxException;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The append port inside Spring-managed transactions: writes event rows on the connection that Spring's
 * {@code DataSourceTransactionManager} (or any manager that binds a JDBC connection for {@code dataSource}, such as
 * {@code JpaTransactionManager}) holds for the current transaction, so an {@code append} inside an
 * {@code @Transactional} method commits or rolls back with the business rows written through {@code JdbcTemplate}
 * or {@code JdbcClient}.
 *
 * <p>The insert is outbox-jdbc's ({@link JdbiOutbox#writeInTransaction}), sent at the time of the append rather than
 * buffered until the commit: a {@code PROPAGATION_NESTED} savepoint that rolls back then takes its events with it,
 * which a write in a before-commit {@code TransactionSynchronization} could not know about. So each append costs a
 * round trip of its own, and the JDBI path's COMMIT in the insert's round trip is not available here (Spring sends
 * its own COMMIT). An insert failure surfaces from {@code append} as {@link PostgresOutboxException}; the
 * transaction must then roll back (PostgreSQL refuses further statements in it).
 *
 * <p>Appending with no transaction active on this thread throws {@link NoActiveUnitOfWorkException} and writes
 * nothing, never auto-commits. Immutable and thread-safe.
 */
public final class SpringOutbox implements Outbox {
    private final DataSource dataSource;
    private final Jdbi jdbi;
    private final JdbiOutbox writer;

    private SpringOutbox(Builder builder) {
        this.dataSource = builder.dataSource;
        this.jdbi = Jdbi.create(new TransactionConnections(dataSource));
        // The handle is opened on a connection already in Spring's transaction: closing it must leave that alone.
        jdbi.getConfig(Handles.class).setForceEndTransactions(false);
        // The unit of work only satisfies JdbiOutbox's builder: this outbox never appends through it.
        JdbiOutbox.Builder outbox = JdbiOutbox.builder(JdbiUnitOfWork.create(jdbi)).table(builder.table)
                .notifications(builder.notifications);
        if (builder.channel != null) {
            outbox.notifyChannel(builder.channel);
        }
        this.writer = outbox.build();
    }

    /** Creates an outbox appending to {@code public.outbox_event} through {@code dataSource}'s transactions. */
    public static SpringOutbox create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /** Returns a builder for an outbox appending through {@code dataSource}'s Spring-managed transactions. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Returns the DataSource whose transactions this outbox joins. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * {@inheritDoc}
     *
     * @throws NoActiveUnitOfWorkException when no Spring transaction is active on this thread; nothing is written
     * @throws IllegalStateException when the active transaction holds no connection of this outbox's DataSource
     *     (a transaction manager of another DataSource); nothing is written
     * @throws PostgresOutboxException when the insert fails
     */
    @Override
    public void append(OutboxEvent event) {
        Objects.requireNonNull(event, "event");
        appendAll(List.of(event));
    }

    /**
     * {@inheritDoc}
     *
     * <p>All events go in one statement. An empty list writes nothing but still requires a transaction.
     *
     * @throws NoActiveUnitOfWorkException when no Spring transaction is active on this thread; nothing is written
     * @throws IllegalStateException when the active transaction holds no connection of this outbox's DataSource
     * @throws PostgresOutboxException when the insert fails
     */
    @Override
    public void appendAll(List<OutboxEvent> events) {
        Objects.requireNonNull(events, "events");
        requireTransactionOnDataSource();
        if (events.isEmpty()) {
            return;
        }
        try (Handle handle = jdbi.open()) {
            writer.writeInTransaction(handle, events);
        }
    }

    private void requireTransactionOnDataSource() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new NoActiveUnitOfWorkException();
        }
        if (!(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder holder)
                || !holder.isSynchronizedWithTransaction()) {
            throw new IllegalStateException("Outbox.append found a Spring transaction that holds no connection of the "
                    + "outbox's DataSource: use a DataSourceTransactionManager or JpaTransactionManager on the same "
                    + "DataSource, or the event would not commit with the business rows");
        }
    }

    /** Hands out the connection Spring holds for the current transaction, and gives it back without closing it. */
    private record TransactionConnections(DataSource dataSource) implements ConnectionFactory {
        @Override
        public Connection openConnection() {
            return DataSourceUtils.getConnection(dataSource);
        }

        @Override
        public void closeConnection(Connection connection) {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** Configures a {@link SpringOutbox}; not thread-safe, meant for one use. */
    public static final class Builder {
        private final DataSource dataSource;
        private OutboxTable table = OutboxTable.DEFAULT;
        private String channel;
        private boolean notifications = true;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Sets the outbox table; default {@link OutboxTable#DEFAULT}. */
        public Builder table(OutboxTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /**
         * Sets the LISTEN/NOTIFY channel, which must match the store's; default the table's
         * {@link OutboxTable#defaultChannel()}.
         *
         * @throws IllegalArgumentException when not a lower-case SQL identifier (when building)
         */
        public Builder notifyChannel(String channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /** Turns the commit notification off or on; default on. */
        public Builder notifications(boolean enabled) {
            this.notifications = enabled;
            return this;
        }

        /** Builds the outbox. */
        public SpringOutbox build() {
            return new SpringOutbox(this);
        }
    }
}
