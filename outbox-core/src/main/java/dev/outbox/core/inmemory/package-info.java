/**
 * In-memory adapters for unit tests, demos and benchmarks: an
 * {@link dev.outbox.core.inmemory.InMemoryOutboxStore} that obeys the full store contract, a
 * thread-bound {@link dev.outbox.core.inmemory.InMemoryUnitOfWork}, the
 * {@link dev.outbox.core.inmemory.InMemoryOutbox} append port and a programmable
 * {@link dev.outbox.core.inmemory.RecordingPublisher}.
 *
 * <p>Typical use in a service's own tests:
 * <pre>{@code
 * InMemoryOutboxStore store = InMemoryOutboxStore.create();
 * InMemoryUnitOfWork unitOfWork = InMemoryUnitOfWork.create(store);
 * Outbox outbox = InMemoryOutbox.create(unitOfWork);
 * RecordingPublisher publisher = RecordingPublisher.create();
 * OutboxRelay relay = OutboxRelay.create(store, publisher);
 * // ... run the use case, then relay.runOnce() and assert on publisher.published()
 * }</pre>
 * Nothing here is durable; production code uses the JDBC store and the Kafka publisher.
 */
package dev.outbox.core.inmemory;
