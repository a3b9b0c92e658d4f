package dev.outbox.order.domain;

import dev.outbox.core.NoActiveUnitOfWorkException;
import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import java.util.ArrayList;
import java.util.List;

/** Records appended events with the transaction they were appended in; undone on rollback. */
final class FakeOutbox implements Outbox {
    record Appended(OutboxEvent event, int transaction) {
    }

    private final FakeUnitOfWork unitOfWork;
    final List<Appended> appended = new ArrayList<>();

    FakeOutbox(FakeUnitOfWork unitOfWork) {
        this.unitOfWork = unitOfWork;
    }

    @Override
    public void append(OutboxEvent event) {
        if (!unitOfWork.active()) {
            throw new NoActiveUnitOfWorkException();
        }
        Appended entry = new Appended(event, unitOfWork.transactionNumber());
        appended.add(entry);
        unitOfWork.onRollback(() -> appended.remove(entry));
    }

    List<OutboxEvent> events() {
        return appended.stream().map(Appended::event).toList();
    }
}
