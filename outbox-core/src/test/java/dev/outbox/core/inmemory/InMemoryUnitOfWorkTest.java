package dev.outbox.core.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryUnitOfWorkTest {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final InMemoryUnitOfWork unitOfWork = InMemoryUnitOfWork.create(store);
    private final InMemoryOutbox outbox = InMemoryOutbox.create(unitOfWork);

    private static OutboxEvent event(String aggregateId) {
        return OutboxEvent.json("Order", aggregateId, "OrderCreated", "{}");
    }

    @Test
    void appendedEventsReachTheStoreOnlyWhenTheTransactionCommits() {
        OutboxEvent first = event("1");
        OutboxEvent second = event("2");

        String result = unitOfWork.inTransaction(() -> {
            outbox.append(first);
            outbox.append(second);
            assertThat(store.pending()).isEmpty();
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(store.pending()).containsExactly(first, second);
    }

    @Test
    void anExceptionDiscardsTheAppendedEventsAndIsRethrownUnchanged() {
        IOException failure = new IOException("disk full");

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("1"));
            throw failure;
        })).isSameAs(failure);

        assertThat(store.pending()).isEmpty();
        assertThat(unitOfWork.isActive()).isFalse();
    }

    @Test
    void nestedCallsJoinTheOuterTransaction() {
        OutboxEvent outer = event("1");
        OutboxEvent inner = event("2");

        unitOfWork.useTransaction(() -> {
            outbox.append(outer);
            unitOfWork.useTransaction(() -> outbox.append(inner));
            assertThat(store.pending()).isEmpty();
        });

        assertThat(store.pending()).containsExactly(outer, inner);
    }

    @Test
    void aFailedNestedCallRollsBackTheWholeTransactionEvenWhenTheOuterCatchesIt() {
        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("1"));
            try {
                unitOfWork.useTransaction(() -> {
                    throw new IllegalStateException("inner failure");
                });
            } catch (IllegalStateException expected) {
                // swallowed by the caller on purpose
            }
        })).isInstanceOf(OutboxException.class).hasMessageContaining("rolled back");

        assertThat(store.pending()).isEmpty();
    }

    @Test
    void appendingOutsideATransactionIsRefused() {
        assertThatThrownBy(() -> outbox.append(event("1"))).isInstanceOf(NoActiveUnitOfWorkException.class);
        assertThatThrownBy(() -> outbox.appendAll(List.of(event("1"))))
                .isInstanceOf(NoActiveUnitOfWorkException.class);
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void transactionsAreBoundToTheirThread() throws Exception {
        unitOfWork.useTransaction(() -> {
            CompletableFuture<Void> elsewhere = CompletableFuture.runAsync(() -> outbox.append(event("x")));
            assertThatThrownBy(() -> elsewhere.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(NoActiveUnitOfWorkException.class);
        });
    }

    @Test
    void subscribersAreNotifiedAfterACommitButNotAfterARollback() {
        AtomicInteger notifications = new AtomicInteger();
        store.subscribe(notifications::incrementAndGet);

        unitOfWork.useTransaction(() -> {
            outbox.append(event("1"));
            assertThat(notifications).hasValue(0);
        });
        assertThat(notifications).hasValue(1);

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("2"));
            throw new IllegalStateException("rollback");
        })).hasMessage("rollback");
        assertThat(notifications).hasValue(1);
    }

    @Test
    void aBatchWithADuplicateIdIsRefusedWhole() {
        OutboxEvent event = event("1");
        store.append(event);

        assertThatThrownBy(() -> unitOfWork.useTransaction(() -> {
            outbox.append(event("2"));
            outbox.append(event);
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");

        assertThat(store.pending()).containsExactly(event);
    }
}
