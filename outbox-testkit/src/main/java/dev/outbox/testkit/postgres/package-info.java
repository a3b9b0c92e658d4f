/**
 * A real PostgreSQL for integration tests: {@link dev.outbox.testkit.postgres.TestDatabase}, one
 * server per test JVM (embedded, or an external one by URL), with small SQL helpers. Needs
 * {@code dev.outbox:outbox-embedded} on the test classpath.
 */
package dev.outbox.testkit.postgres;
