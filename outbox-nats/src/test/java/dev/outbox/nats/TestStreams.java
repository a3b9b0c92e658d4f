package dev.outbox.nats;

import dev.outbox.testkit.ReceivedMessage;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Streams for one test class on the real server, named uniquely per run ({@code outbox_test_<run>_<n>}),
 * read back message by message, and all deleted by {@link #close()}. Its own connection goes
 * straight to the server, never through a {@link TcpProxy}.
 */
final class TestStreams implements AutoCloseable {
    /** Letters unique to this JVM's run; subjects and stream names of the tests carry them. */
    static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);

    private final Connection connection;
    private final JetStreamManagement management;
    private final Set<String> created = ConcurrentHashMap.newKeySet();
    private int counter;

    TestStreams() {
        try {
            connection = Nats.connect(RequiredNats.URL);
            management = connection.jetStreamManagement();
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to " + RequiredNats.URL, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Returns a fresh stream name of this run. */
    synchronized String newName() {
        return "outbox_test_" + RUN + "_" + (++counter);
    }

    /** Creates a stream capturing {@code subjects} with a 2-minute duplicate window; returns its name. */
    String create(String... subjects) {
        return create(StreamConfiguration.builder().name(newName()).subjects(subjects));
    }

    /** Creates a stream holding at most one message that refuses new ones (DiscardNew), already full. */
    String createFull(String subjects, String fillerSubject) {
        String name = create(StreamConfiguration.builder().name(newName()).subjects(subjects).maxMessages(1)
                .discardPolicy(DiscardPolicy.New));
        try {
            connection.jetStream().publish(fillerSubject, new byte[] {1});
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException(e);
        }
        return name;
    }

    private String create(StreamConfiguration.Builder config) {
        StreamConfiguration built = config.storageType(StorageType.File).duplicateWindow(Duration.ofMinutes(2)).build();
        try {
            management.addStream(built);
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("cannot create stream " + built.getName(), e);
        }
        created.add(built.getName());
        return built.getName();
    }

    /** Marks a stream someone else created (the publisher) for deletion. */
    void adopt(String name) {
        created.add(name);
    }

    /** Returns the stream's configuration and state. */
    StreamInfo info(String stream) {
        try {
            return management.getStreamInfo(stream);
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads every message the stream holds, in stream order. */
    List<MessageInfo> messages(String stream) {
        StreamInfo info = info(stream);
        List<MessageInfo> messages = new ArrayList<>();
        if (info.getStreamState().getMsgCount() == 0) {
            return messages;
        }
        for (long seq = info.getStreamState().getFirstSequence(); seq <= info.getStreamState().getLastSequence(); seq++) {
            try {
                messages.add(management.getMessage(stream, seq));
            } catch (JetStreamApiException e) {
                // deleted message: a gap
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return messages;
    }

    /** Reads the stream's messages as the publisher contract sees them: id, type, key (aggregate id), payload, headers. */
    List<ReceivedMessage> received(String stream) {
        return messages(stream).stream().map(TestStreams::toReceived).toList();
    }

    static ReceivedMessage toReceived(MessageInfo message) {
        Map<String, String> headers = headers(message.getHeaders());
        String subject = message.getSubject();
        String key = SubjectTemplate.unescape(subject.substring(subject.lastIndexOf('.') + 1));
        return ReceivedMessage.of(UUID.fromString(headers.get(NatsHeaders.ID)), headers.get(NatsHeaders.EVENT_TYPE), key,
                message.getData() == null ? new byte[0] : message.getData(), headers);
    }

    static Map<String, String> headers(Headers headers) {
        Map<String, String> map = new LinkedHashMap<>();
        if (headers != null) {
            headers.keySet().forEach(name -> map.put(name, headers.getFirst(name)));
        }
        return map;
    }

    @Override
    public void close() {
        for (String name : created) {
            try {
                management.deleteStream(name);
            } catch (IOException | JetStreamApiException e) {
                // already gone
            }
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
