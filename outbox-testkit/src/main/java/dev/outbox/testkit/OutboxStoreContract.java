package dev.outbox.testkit;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxStore;
import java.util.List;

/**
 * The contract every {@link OutboxStore} adapter must pass. Subclass it once per adapter in the
 * adapter's test sources and implement the two hooks; JUnit 5 runs the inherited tests.
 */
public abstract class OutboxStoreContract {

    /** Returns the store under test; called once per test, may return the same instance. */
    protected abstract OutboxStore store();

    /**
     * Appends {@code events} in one committed transaction, in list order, so that they are
     * visible to {@link OutboxStore#claim} when this method returns.
     */
    protected abstract void appendCommitted(List<OutboxEvent> events);
}
