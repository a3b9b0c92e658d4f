package dev.outbox.testkit.inmemory;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.testkit.OutboxStoreContract;
import java.util.List;

/** Runs the store contract on the in-memory store, which deletes events on markPublished. */
class InMemoryOutboxStoreContractTest extends OutboxStoreContract {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();

    @Override
    protected OutboxStore store() {
        return store;
    }

    @Override
    protected void appendCommitted(List<OutboxEvent> events) {
        store.append(events);
    }
}
