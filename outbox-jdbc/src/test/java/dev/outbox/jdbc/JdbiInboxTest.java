package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.EventIds;
import dev.outbox.core.NoActiveUnitOfWorkException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer-side inbox drops repeats, and its marks commit or roll back with the consumer's work. */
class JdbiInboxTest {
    private static final Jdbi JDBI = TestOutboxes.jdbi();

    private OutboxTable table;
    private JdbiUnitOfWork unitOfWork;
    private JdbiInbox inbox;

    @BeforeEach
    void setUp() {
        table = TestOutboxes.freshTable("inbox");
        JdbiInbox.createTable(JDBI, table);
        JdbiInbox.createTable(JDBI, table); // idempotent
        unitOfWork = JdbiUnitOfWork.create(JDBI);
        inbox = JdbiInbox.create(unitOfWork, table);
    }

    @Test
    void aRepeatedEventIdIsRecognisedAfterTheFirstDeliveryCommitted() {
        UUID id = EventIds.next();

        assertThat(unitOfWork.inTransaction(() -> inbox.markProcessed(id))).isTrue();
        assertThat(unitOfWork.inTransaction(() -> inbox.markProcessed(id))).isFalse();
        assertThat(unitOfWork.inTransaction(() -> inbox.markProcessed(EventIds.next()))).isTrue();
    }

    /**
     * Two consumers handed the same event at once (a rebalance redelivers it while the first still
     * works): the second waits for the first's mark and then sees a repeat, so one effect only.
     */
    @Test
    void twoConcurrentDeliveriesOfOneEvent_exactlyOneProcessesIt() throws Exception {
        UUID id = EventIds.next();
        CountDownLatch firstMarked = new CountDownLatch(1);
        CountDownLatch firstMayCommit = new CountDownLatch(1);
        ExecutorService consumers = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> first = consumers.submit(() -> unitOfWork.inTransaction(() -> {
                boolean marked = inbox.markProcessed(id);
                firstMarked.countDown();
                firstMayCommit.await(10, TimeUnit.SECONDS);
                return marked;
            }));
            assertThat(firstMarked.await(10, TimeUnit.SECONDS)).as("the first consumer marked the event").isTrue();
            Future<Boolean> second = consumers.submit(() -> unitOfWork.inTransaction(() -> inbox.markProcessed(id)));
            Thread.sleep(300);
            assertThat(second.isDone()).as("the second consumer waits for the first's uncommitted mark").isFalse();

            firstMayCommit.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).as("first consumer processes").isTrue();
            assertThat(second.get(10, TimeUnit.SECONDS)).as("second consumer sees a repeat").isFalse();
        } finally {
            consumers.shutdownNow();
        }
    }

    @Test
    void aMarkRolledBackWithTheConsumersWorkLetsTheEventBeProcessedAgain() {
        UUID id = EventIds.next();

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            assertThat(inbox.markProcessed(id)).isTrue();
            throw new IllegalStateException("effects failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(unitOfWork.inTransaction(() -> inbox.markProcessed(id))).isTrue();
    }

    @Test
    void markingOutsideAUnitOfWorkFails() {
        assertThatThrownBy(() -> inbox.markProcessed(EventIds.next())).isInstanceOf(NoActiveUnitOfWorkException.class);
    }

    @Test
    void oldMarksArePurgedInBoundedBatches() {
        for (int i = 0; i < 3; i++) {
            unitOfWork.useTransaction(() -> inbox.markProcessed(EventIds.next()));
        }
        Instant later = Instant.now().plusSeconds(60);

        assertThat(JdbiInbox.purgeProcessedBefore(JDBI, table, later, 2)).isEqualTo(2);
        assertThat(JdbiInbox.purgeProcessedBefore(JDBI, table, later, 2)).isEqualTo(1);
        assertThat(JdbiInbox.purgeProcessedBefore(JDBI, table, later, 2)).isZero();
    }
}
