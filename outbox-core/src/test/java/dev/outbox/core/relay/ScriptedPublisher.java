package dev.outbox.core.relay;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A publisher whose every call is answered by a script: (call number from 1, events) to a stage.
 * Records the events of each call and of each {@code PUBLISHED} outcome, in order.
 */
final class ScriptedPublisher implements OutboxEventPublisher {
    private final BiFunction<Integer, List<OutboxEvent>, CompletionStage<List<PublishOutcome>>> script;
    private final Duration maxPublishDuration;
    final List<List<OutboxEvent>> calls = new CopyOnWriteArrayList<>();
    final List<OutboxEvent> published = new CopyOnWriteArrayList<>();

    ScriptedPublisher(BiFunction<Integer, List<OutboxEvent>, CompletionStage<List<PublishOutcome>>> script,
            Duration maxPublishDuration) {
        this.script = script;
        this.maxPublishDuration = maxPublishDuration;
    }

    static ScriptedPublisher of(BiFunction<Integer, List<OutboxEvent>, CompletionStage<List<PublishOutcome>>> script) {
        return new ScriptedPublisher(script, Duration.ZERO);
    }

    /** Answers each event with {@code outcome.apply(call, event)}, at once. */
    static ScriptedPublisher perEvent(BiFunction<Integer, OutboxEvent, PublishOutcome> outcome) {
        return of((call, events) -> {
            List<PublishOutcome> outcomes = new ArrayList<>();
            events.forEach(e -> outcomes.add(outcome.apply(call, e)));
            return CompletableFuture.completedFuture(outcomes);
        });
    }

    @Override
    public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
        calls.add(List.copyOf(events));
        return script.apply(calls.size(), events).thenApply(outcomes -> {
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i).isPublished()) {
                    published.add(events.get(i));
                }
            }
            return outcomes;
        });
    }

    @Override
    public Duration maxPublishDuration() {
        return maxPublishDuration;
    }
}
