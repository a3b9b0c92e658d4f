package dev.outbox.kafka;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka's own producer test double, counting every send attempt (MockProducer's history holds only accepted ones). */
final class CountingMockProducer extends MockProducer<byte[], byte[]> {

    final AtomicInteger sendAttempts = new AtomicInteger();

    CountingMockProducer(boolean autoComplete) {
        super(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        sendAttempts.incrementAndGet();
        return super.send(record, callback);
    }
}
