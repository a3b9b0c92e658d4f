package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link JdbiUnitOfWork#beforeCommit}: hooks run last, in order, in the transaction, and only on commit. */
class BeforeCommitHookTest {
    private static final Jdbi JDBI = TestDatabase.jdbi();
    private static String notes;
    private static JdbiUnitOfWork unitOfWork;

    @BeforeAll
    static void createTable() {
        notes = "hook_note_" + Long.toHexString(System.nanoTime());
        JDBI.useHandle(h -> h.execute("CREATE TABLE " + notes + " (n serial PRIMARY KEY, text varchar(50) NOT NULL)"));
        unitOfWork = JdbiUnitOfWork.create(JDBI);
    }

    private static void note(String text) {
        unitOfWork.currentHandle().execute("INSERT INTO " + notes + " (text) VALUES (?)", text);
    }

    private static List<String> notesWritten(String prefix) {
        return JDBI.withHandle(h -> h.createQuery("SELECT text FROM " + notes + " WHERE text LIKE :p ORDER BY n")
                .bind("p", prefix + "%").mapTo(String.class).list());
    }

    @Test
    void hooksRunInRegistrationOrder_afterTheWork_inTheSameTransaction() {
        unitOfWork.useTransaction(() -> {
            unitOfWork.beforeCommit(handle -> handle.execute("INSERT INTO " + notes + " (text) VALUES ('order-hook-1')"));
            unitOfWork.beforeCommit(handle -> handle.execute("INSERT INTO " + notes + " (text) VALUES ('order-hook-2')"));
            unitOfWork.useTransaction(() -> unitOfWork.beforeCommit(
                    handle -> handle.execute("INSERT INTO " + notes + " (text) VALUES ('order-hook-3-nested')")));
            note("order-work");
            assertThat(notesWritten("order-hook")).as("no hook before the commit").isEmpty();
        });

        assertThat(notesWritten("order-")).containsExactly("order-work", "order-hook-1", "order-hook-2", "order-hook-3-nested");
    }

    @Test
    void aHookThatThrowsRollsTheWholeTransactionBack_andNoLaterHookRuns() {
        IllegalStateException failure = new IllegalStateException("hook failed");
        List<String> ran = new ArrayList<>();

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            note("fail-work");
            unitOfWork.beforeCommit(handle -> {
                ran.add("first");
                handle.execute("INSERT INTO " + notes + " (text) VALUES ('fail-hook-1')");
            });
            unitOfWork.beforeCommit(handle -> {
                ran.add("second");
                throw failure;
            });
            unitOfWork.beforeCommit(handle -> ran.add("third"));
        })).isSameAs(failure);

        assertThat(ran).containsExactly("first", "second");
        assertThat(notesWritten("fail-")).as("the work and the first hook's write rolled back").isEmpty();
    }

    @Test
    void noHookRunsWhenTheWorkThrows_orANestedFailureWasCaught() {
        List<String> ran = new ArrayList<>();
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            unitOfWork.beforeCommit(handle -> ran.add("after a failing work"));
            throw new IllegalArgumentException("work failed");
        })).isInstanceOf(IllegalArgumentException.class);

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            unitOfWork.beforeCommit(handle -> ran.add("after a caught nested failure"));
            try {
                unitOfWork.useTransaction(() -> {
                    throw new IllegalArgumentException("nested failed");
                });
            } catch (IllegalArgumentException expected) {
                // caught: the outermost call must still roll back
            }
        })).isInstanceOf(OutboxException.class).hasMessageContaining("nested unit of work failed");

        assertThat(ran).isEmpty();
    }

    @Test
    void aKeyedHookIsRegisteredOncePerTransaction_andKeepsItsPlace() {
        List<String> ran = new ArrayList<>();
        unitOfWork.useTransaction(() -> {
            unitOfWork.beforeCommit("k", () -> new Collecting(ran)).items.add("a");
            unitOfWork.beforeCommit(handle -> ran.add("plain"));
            unitOfWork.beforeCommit("k", () -> new Collecting(ran)).items.add("b");
        });
        unitOfWork.useTransaction(() -> unitOfWork.beforeCommit("k", () -> new Collecting(ran)).items.add("c"));

        assertThat(ran).containsExactly("[a, b]", "plain", "[c]");
    }

    @Test
    void theOutboxWritesThroughItsHook_inOrderWithOtherHooks() {
        OutboxTable table = TestDatabase.createFreshTable("hooked");
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);
        List<Long> rowsSeenByLaterHook = new ArrayList<>();

        unitOfWork.useTransaction(() -> {
            outbox.append(OutboxEvent.json("Order", "hooked-1", "OrderCreated", "{}"));
            unitOfWork.beforeCommit(handle -> rowsSeenByLaterHook.add(handle.createQuery(
                    "SELECT count(*) FROM " + table.qualifiedName()).mapTo(Long.class).one()));
            outbox.append(OutboxEvent.json("Order", "hooked-2", "OrderCreated", "{}"));
        });

        assertThat(rowsSeenByLaterHook).as("the outbox's hook ran first and wrote both events").containsExactly(2L);
        long rows = JDBI.withHandle(h -> h.createQuery("SELECT count(*) FROM " + table.qualifiedName()).mapTo(Long.class).one());
        assertThat(rows).isEqualTo(2L);
    }

    @Test
    void hooksNeedAUnitOfWork_andCannotBeAddedWhileHooksRun() {
        assertThatThrownBy(() -> unitOfWork.beforeCommit(handle -> { })).isInstanceOf(NoActiveUnitOfWorkException.class);

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> unitOfWork.beforeCommit(
                handle -> unitOfWork.beforeCommit(later -> { }))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("hooks are running");
    }

    private static final class Collecting implements JdbiUnitOfWork.BeforeCommit {
        private final List<String> ran;
        private final List<String> items = new ArrayList<>();

        private Collecting(List<String> ran) {
            this.ran = ran;
        }

        @Override
        public void run(org.jdbi.v3.core.Handle handle) {
            ran.add(items.toString());
        }
    }
}
