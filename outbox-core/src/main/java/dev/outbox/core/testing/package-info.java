/**
 * Helpers for tests of code built on outbox-core, shared by every module's tests and open to
 * users' own: {@link dev.outbox.core.testing.MutableClock}, a clock the test moves;
 * {@link dev.outbox.core.testing.Await}, a polling wait for state another thread settles; and
 * {@link dev.outbox.core.testing.TestEvents}, small builders of valid events.
 *
 * <p>They live in outbox-core rather than outbox-testkit because outbox-core's own tests use them
 * and outbox-testkit depends on outbox-core. They need nothing beyond the JDK; nothing in the
 * library's production code uses them.
 */
package dev.outbox.core.testing;
