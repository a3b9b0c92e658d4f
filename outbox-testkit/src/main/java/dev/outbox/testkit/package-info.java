/**
 * Test support for adapter authors and users: {@link dev.outbox.testkit.OutboxStoreContract},
 * the abstract JUnit 5 contract test that every {@link dev.outbox.core.spi.OutboxStore} adapter
 * subclasses once to prove it obeys the store's rules, and {@link dev.outbox.testkit.MutableClock},
 * a clock a test moves by hand.
 */
package dev.outbox.testkit;
