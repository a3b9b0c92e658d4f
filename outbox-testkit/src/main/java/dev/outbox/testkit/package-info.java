/**
 * Test support for adapter authors and users: {@link dev.outbox.testkit.OutboxStoreContract},
 * the abstract JUnit 5 contract test that every {@link dev.outbox.core.spi.OutboxStore} adapter
 * subclasses once to prove it obeys the store's rules. The clock a test moves, the polling wait
 * and the test event builders are in {@code dev.outbox.core.testing}, since outbox-core's own
 * tests use them.
 */
package dev.outbox.testkit;
