package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.core.spi.PublishOutcome.Status;
import dev.outbox.kafka.avro.SchemaRegistryException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class PublishErrorClassifierTest {

    @Test
    void recordAtFault_isPermanent() {
        assertThat(PublishErrorClassifier.isPermanent(new SerializationException("bad"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new RecordTooLargeException("big"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new RecordBatchTooLargeException("big"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new InvalidRecordException("invalid"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new PayloadEncodingException("bad"))).isTrue();
    }

    @Test
    void permanentCauseWrappedInAnExecutionException_isStillPermanent() {
        assertThat(PublishErrorClassifier.isPermanent(new ExecutionException(new RecordTooLargeException("big"))))
                .isTrue();
    }

    @Test
    void timeoutsAndUnavailableBrokersOrRegistries_areRetriable() {
        assertThat(PublishErrorClassifier.isPermanent(
                new TimeoutException("Topic t not present in metadata after 10000 ms."))).isFalse();
        assertThat(PublishErrorClassifier.isPermanent(new NetworkException("down"))).isFalse();
        assertThat(PublishErrorClassifier.isPermanent(new NotEnoughReplicasException("isr"))).isFalse();
        assertThat(PublishErrorClassifier.isPermanent(new SchemaRegistryException("down", -1, null))).isFalse();
    }

    @Test
    void serializationFailureCausedByUnreachableRegistry_isRetriable() {
        // what Confluent's KafkaAvroSerializer throws when its registry is down
        SerializationException error = new SerializationException("Error registering Avro schema",
                new IOException("registry down", new ConnectException("refused")));

        assertThat(PublishErrorClassifier.isPermanent(error)).isFalse();
    }

    @Test
    void unknownErrors_areRetriable() {
        assertThat(PublishErrorClassifier.isPermanent(new KafkaException("something"))).isFalse();
        assertThat(PublishErrorClassifier.isPermanent(new IllegalStateException("closed"))).isFalse();
        assertThat(PublishErrorClassifier.isPermanent(new TopicAuthorizationException("not allowed"))).isFalse();
    }

    private static PublishOutcome.Status status(Throwable error) {
        return PublishErrorClassifier.outcome(UUID.randomUUID(), error).status();
    }

    @Test
    void failuresThatAreNotTheEvents_areUnavailable() {
        assertThat(status(new TimeoutException("Expiring 2 record(s) for t-0: 30001 ms has passed")))
                .isEqualTo(Status.UNAVAILABLE);
        assertThat(status(new NetworkException("down"))).isEqualTo(Status.UNAVAILABLE);
        assertThat(status(new NotLeaderOrFollowerException("moved"))).isEqualTo(Status.UNAVAILABLE);
        assertThat(status(new NotEnoughReplicasException("isr"))).isEqualTo(Status.UNAVAILABLE);
        assertThat(status(new DisconnectException("gone"))).isEqualTo(Status.UNAVAILABLE);
        assertThat(status(new SchemaRegistryException("registry down", -1, new ConnectException("refused"))))
                .isEqualTo(Status.UNAVAILABLE);
        assertThat(status(new SchemaRegistryException("registry failing", 503, null))).isEqualTo(Status.UNAVAILABLE);
        assertThat(status(new ExecutionException(new TimeoutException("Expiring 1 record(s)"))))
                .isEqualTo(Status.UNAVAILABLE);
    }

    @Test
    void failuresOfTheEventsOwnThatMayPass_areRetriable() {
        assertThat(status(new TopicAuthorizationException("not allowed"))).isEqualTo(Status.RETRIABLE_FAILURE);
        assertThat(status(new InvalidTopicException("bad/topic"))).isEqualTo(Status.RETRIABLE_FAILURE);
        assertThat(status(new UnknownTopicOrPartitionException("no such topic"))).isEqualTo(Status.RETRIABLE_FAILURE);
        assertThat(status(new SchemaRegistryException("incompatible schema", 409, null)))
                .isEqualTo(Status.RETRIABLE_FAILURE);
        assertThat(status(new KafkaException("something unknown"))).isEqualTo(Status.RETRIABLE_FAILURE);
    }

    @Test
    void recordAtFault_isPermanentFailure() {
        assertThat(status(new RecordTooLargeException("big"))).isEqualTo(Status.PERMANENT_FAILURE);
        assertThat(status(new SerializationException("bad"))).isEqualTo(Status.PERMANENT_FAILURE);
        assertThat(status(new InvalidRecordException("invalid"))).isEqualTo(Status.PERMANENT_FAILURE);
    }

    @Test
    void missingMetadata_isUnavailableUntilTheCallShowsTheBrokerIsUp() {
        TimeoutException missing = new TimeoutException("Topic t not present in metadata after 10000 ms.");

        assertThat(status(missing)).isEqualTo(Status.UNAVAILABLE);
        assertThat(PublishErrorClassifier.isMissingMetadata(missing)).isTrue();
        assertThat(PublishErrorClassifier.isMissingMetadata(new TimeoutException("Expiring 1 record(s)"))).isFalse();
    }
}
