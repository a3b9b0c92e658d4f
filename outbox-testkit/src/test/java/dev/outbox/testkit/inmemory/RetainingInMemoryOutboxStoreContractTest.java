package dev.outbox.testkit.inmemory;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.InMemoryOutbox;
import dev.outbox.core.inmemory.InMemoryUnitOfWork;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.testkit.OutboxStoreContract;
import java.util.List;

/**
 * Runs the store contract on an in-memory store that keeps published events until purged,
 * appending through the unit of work and append port as applications do.
 */
class RetainingInMemoryOutboxStoreContractTest extends OutboxStoreContract {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.retainingPublished();
    private final InMemoryUnitOfWork unitOfWork = InMemoryUnitOfWork.create(store);
    private final InMemoryOutbox outbox = InMemoryOutbox.create(unitOfWork);

    @Override
    protected OutboxStore store() {
        return store;
    }

    @Override
    protected void appendCommitted(List<OutboxEvent> events) {
        unitOfWork.useTransaction(() -> outbox.appendAll(events));
    }
}
