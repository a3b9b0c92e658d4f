package dev.outbox.jdbc;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.testkit.OutboxStoreContract;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Nested;

/** The core store contract against PostgreSQL, once per retention mode. */
class PostgresOutboxStoreContractTest {
    private static final Jdbi JDBI = TestDatabase.jdbi();

    /** Published rows deleted at once (the default); cleared by truncating the table. */
    @Nested
    class DeletingPublished extends OnPostgres {
        DeletingPublished() {
            super(false);
        }

        @Override
        protected void clearStore() {
            fixture.truncate();
        }
    }

    /** Published rows kept for a retention period and purged in batches; cleared through the store's own API. */
    @Nested
    class RetainingPublished extends OnPostgres {
        RetainingPublished() {
            super(true);
        }
    }

    abstract static class OnPostgres extends OutboxStoreContract {
        final Fixture fixture;

        OnPostgres(boolean retain) {
            fixture = new Fixture(retain);
        }

        @Override
        protected OutboxStore store() {
            return fixture.store;
        }

        @Override
        protected void appendCommitted(List<OutboxEvent> events) {
            fixture.append(events);
        }
    }

    private static final class Fixture {
        private static final OutboxTable DELETING = TestDatabase.createFreshTable("contract_delete");
        private static final OutboxTable RETAINING = TestDatabase.createFreshTable("contract_retain");

        private final OutboxTable table;
        private final PostgresOutboxStore store;
        private final JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(JDBI);
        private final JdbiOutbox outbox;

        Fixture(boolean retain) {
            table = retain ? RETAINING : DELETING;
            PostgresOutboxStore.Builder builder = PostgresOutboxStore.builder().jdbi(JDBI).table(table);
            if (retain) {
                builder.retention(java.time.Duration.ofHours(1));
            }
            store = builder.build();
            outbox = JdbiOutbox.create(unitOfWork, table);
        }

        void append(List<OutboxEvent> events) {
            unitOfWork.useTransaction(() -> outbox.appendAll(events));
        }

        void truncate() {
            JDBI.useHandle(h -> h.execute("TRUNCATE " + table.qualifiedName()));
        }
    }
}
