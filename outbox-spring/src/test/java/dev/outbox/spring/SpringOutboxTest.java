package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/** {@link SpringOutbox} and {@link SpringUnitOfWork} in real Spring transactions on an embedded PostgreSQL. */
class SpringOutboxTest {
    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;
    private static DataSourceTransactionManager transactionManager;

    private OutboxTable table;
    private SpringOutbox outbox;
    private TransactionTemplate transaction;

    @BeforeAll
    static void startDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        dataSource = postgres.getPostgresDatabase();
        transactionManager = new DataSourceTransactionManager(dataSource);
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void freshTables() {
        table = OutboxTable.of("spring_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL));
        OutboxSchema.create(Jdbi.create(dataSource), table);
        JdbcClient.create(dataSource).sql("CREATE TABLE " + table.table() + "_orders (id uuid PRIMARY KEY)").update();
        outbox = SpringOutbox.builder(dataSource).table(table).build();
        transaction = new TransactionTemplate(transactionManager);
    }

    @Test
    void appendInsideTransaction_commitsWithTheBusinessRow() {
        UUID order = UUID.randomUUID();
        transaction.executeWithoutResult(status -> {
            insertOrder(order);
            outbox.append(event(order));
        });
        assertThat(orders()).isEqualTo(1);
        assertThat(eventIds()).containsExactly(order.toString());
    }

    @Test
    void rolledBackTransaction_leavesNeitherTheBusinessRowNorTheEvent() {
        UUID order = UUID.randomUUID();
        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
            insertOrder(order);
            outbox.append(event(order));
            throw new IllegalStateException("business rule broken");
        })).hasMessage("business rule broken");
        assertThat(orders()).isZero();
        assertThat(eventIds()).isEmpty();
    }

    @Test
    void appendOutsideTransaction_failsAndWritesNothing() {
        assertThatThrownBy(() -> outbox.append(event(UUID.randomUUID()))).isInstanceOf(NoActiveUnitOfWorkException.class);
        assertThatThrownBy(() -> outbox.appendAll(List.of())).isInstanceOf(NoActiveUnitOfWorkException.class);
        assertThat(eventIds()).isEmpty();
    }

    @Test
    void appendInTransactionOfAnotherDataSource_failsAndWritesNothing() {
        SimpleDriverDataSource other = new SimpleDriverDataSource(new org.postgresql.Driver(),
                postgres.getJdbcUrl("postgres", "postgres"));
        TransactionTemplate otherTransaction = new TransactionTemplate(new DataSourceTransactionManager(other));
        assertThatThrownBy(() -> otherTransaction.executeWithoutResult(status -> outbox.append(event(UUID.randomUUID()))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("DataSource");
        assertThat(eventIds()).isEmpty();
    }

    @Test
    void rolledBackNestedSavepoint_takesItsEventsWithIt() {
        UUID kept = UUID.randomUUID();
        UUID undone = UUID.randomUUID();
        TransactionTemplate nested = new TransactionTemplate(transactionManager);
        nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        transaction.executeWithoutResult(status -> {
            insertOrder(kept);
            outbox.append(event(kept));
            try {
                nested.executeWithoutResult(inner -> {
                    insertOrder(undone);
                    outbox.append(event(undone));
                    throw new IllegalStateException("inner failure");
                });
            } catch (IllegalStateException expected) {
                // the savepoint is rolled back, the outer transaction goes on
            }
        });
        assertThat(orders()).isEqualTo(1);
        assertThat(eventIds()).containsExactly(kept.toString());
    }

    @Test
    void appendAll_keepsTheOrderOfTheList() {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        transaction.executeWithoutResult(status -> outbox.appendAll(List.of(event(first), event(second))));
        assertThat(eventIds()).containsExactly(first.toString(), second.toString());
    }

    @Test
    void unitOfWork_joinsTheCallersTransactionAndCommitsWithIt() {
        SpringUnitOfWork unitOfWork = SpringUnitOfWork.create(transactionManager);
        UUID order = UUID.randomUUID();
        transaction.executeWithoutResult(status -> {
            insertOrder(order);
            unitOfWork.useTransaction(() -> outbox.append(event(order)));
            assertThat(eventIds()).as("not visible to others before the commit").isEmpty();
        });
        assertThat(eventIds()).containsExactly(order.toString());
    }

    @Test
    void unitOfWork_rollsBackOnACheckedExceptionAndRethrowsItUnchanged() {
        SpringUnitOfWork unitOfWork = SpringUnitOfWork.create(transactionManager);
        Exception failure = new Exception("checked");
        UUID order = UUID.randomUUID();
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            insertOrder(order);
            outbox.append(event(order));
            throw failure;
        })).isSameAs(failure);
        assertThat(orders()).isZero();
        assertThat(eventIds()).isEmpty();
    }

    private void insertOrder(UUID id) {
        JdbcClient.create(dataSource).sql("INSERT INTO " + table.table() + "_orders (id) VALUES (?)").param(id).update();
    }

    private int orders() {
        return JdbcClient.create(dataSource).sql("SELECT count(*) FROM " + table.table() + "_orders").query(Integer.class).single();
    }

    /** Aggregate ids of the events in seq order, read on a connection of its own outside Spring's transaction (so only committed rows). */
    private List<String> eventIds() {
        return Jdbi.create(dataSource).withHandle(h -> h.createQuery("SELECT aggregateid FROM " + table.qualifiedName()
                + " ORDER BY seq").mapTo(String.class).list());
    }

    private static OutboxEvent event(UUID aggregateId) {
        return OutboxEvent.builder().aggregateType("Order").aggregateId(aggregateId.toString()).eventType("OrderPlaced")
                .payload("{\"id\":\"" + aggregateId + "\"}").build();
    }
}
