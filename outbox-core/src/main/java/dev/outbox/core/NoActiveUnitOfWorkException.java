package dev.outbox.core;

/**
 * Thrown when an event is appended outside a {@link UnitOfWork}. The outbox never commits an
 * event on its own: an event without the business transaction around it would break the
 * atomicity the outbox exists for.
 */
public final class NoActiveUnitOfWorkException extends OutboxException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message telling the caller how to fix the call. */
    public NoActiveUnitOfWorkException() {
        super("Outbox.append must be called inside UnitOfWork.inTransaction/useTransaction: "
                + "there is no active unit of work on this thread, and the outbox never auto-commits");
    }
}
