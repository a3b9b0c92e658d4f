/**
 * Test support for adapter authors and users: the abstract JUnit 5 contract tests that every
 * adapter subclasses once to prove it obeys its port's rules,
 * {@link dev.outbox.testkit.OutboxStoreContract} for {@link dev.outbox.core.spi.OutboxStore}s and
 * {@link dev.outbox.testkit.OutboxEventPublisherContract} for
 * {@link dev.outbox.core.spi.OutboxEventPublisher}s (with {@link dev.outbox.testkit.ReceivedMessage},
 * a message read back from the broker); {@link dev.outbox.testkit.RequiredService}, an assumption
 * for tests that need an external server; and {@link dev.outbox.testkit.MutableClock}, a clock a
 * test moves by hand.
 */
package dev.outbox.testkit;
