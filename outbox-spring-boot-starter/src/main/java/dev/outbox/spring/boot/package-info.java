/**
 * Spring Boot auto-configuration of the outbox: {@link dev.outbox.spring.boot.OutboxAutoConfiguration} and its
 * {@code outbox.*} settings, {@link dev.outbox.spring.boot.OutboxProperties}.
 */
package dev.outbox.spring.boot;
