package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.kafka.avro.SchemaRegistryException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class PublishErrorClassifierTest {

    @Test
    void recordAtFault_isPermanent() {
        assertThat(PublishErrorClassifier.isPermanent(new SerializationException("bad"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new RecordTooLargeException("big"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new RecordBatchTooLargeException("big"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new InvalidRecordException("invalid"))).isTrue();
        assertThat(PublishErrorClassifier.isPermanent(new InvalidTopicException("bad/topic"))).isTrue();
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
}
