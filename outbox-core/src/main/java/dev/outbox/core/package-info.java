/**
 * The application-facing API of the outbox: {@link dev.outbox.core.OutboxEvent}, the
 * {@link dev.outbox.core.UnitOfWork} port and the {@link dev.outbox.core.Outbox} append port.
 *
 * <p>Application code records events with {@code outbox.append(event)} inside
 * {@code unitOfWork.inTransaction(...)}; the event row commits or rolls back with the business
 * rows. Relays ({@link dev.outbox.core.relay}) deliver committed events afterwards.
 */
package dev.outbox.core;
