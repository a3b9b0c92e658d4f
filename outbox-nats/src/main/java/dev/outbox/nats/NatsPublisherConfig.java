package dev.outbox.nats;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validated settings of a {@link NatsOutboxEventPublisher}, built by
 * {@link NatsOutboxEventPublisher.Builder#buildConfig()}; for containers that inject them.
 * Immutable and thread-safe.
 */
public final class NatsPublisherConfig {
    private static final Pattern STREAM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");

    private final String serverUrl;
    private final SubjectTemplate subjects;
    private final String expectedStream;
    private final String createStream;
    private final Duration duplicateWindow;
    private final Duration publishTimeout;
    private final int maxPendingAcks;
    private final Duration connectionTimeout;
    private final Duration reconnectWait;

    NatsPublisherConfig(NatsOutboxEventPublisher.Builder b) {
        if (b.connection == null) {
            Objects.requireNonNull(b.serverUrl, "serverUrl is required (e.g. nats://127.0.0.1:4222), or pass a connection");
            if (!b.serverUrl.matches("(nats|tls|ws|wss)://[^\\s,]+(,(nats|tls|ws|wss)://[^\\s,]+)*")) {
                throw new IllegalArgumentException("serverUrl must be nats://host:port (or tls://, several separated by "
                        + "','), got '" + b.serverUrl + "'");
            }
        }
        this.serverUrl = b.serverUrl;
        this.subjects = SubjectTemplate.of(b.subjectTemplate);
        this.expectedStream = b.expectedStream == null ? null : streamName("expectedStream", b.expectedStream);
        this.createStream = b.createStream == null ? null : streamName("createStream", b.createStream);
        this.duplicateWindow = positive("duplicateWindow", b.duplicateWindow);
        this.publishTimeout = positive("publishTimeout", b.publishTimeout);
        if (b.maxPendingAcks < 1 || b.maxPendingAcks > 1_000_000) {
            throw new IllegalArgumentException("maxPendingAcks must be from 1 to 1000000, got " + b.maxPendingAcks);
        }
        this.maxPendingAcks = b.maxPendingAcks;
        this.connectionTimeout = positive("connectionTimeout", b.connectionTimeout);
        this.reconnectWait = positive("reconnectWait", b.reconnectWait);
        if (createStream != null && expectedStream != null && !createStream.equals(expectedStream)) {
            throw new IllegalArgumentException("createStream (" + createStream + ") and expectedStream ("
                    + expectedStream + ") name different streams; set one, or the same name for both");
        }
    }

    private static String streamName(String setting, String name) {
        if (!STREAM_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(setting + " must be a stream name of letters, digits, '_' and '-' "
                    + "(at most 255), got '" + name + "'");
        }
        return name;
    }

    private static Duration positive(String setting, Duration value) {
        Objects.requireNonNull(value, () -> setting + " must not be null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be greater than zero, got " + value);
        }
        return value;
    }

    /** Returns the server URL(s), empty when the publisher was given a connection. */
    public Optional<String> serverUrl() {
        return Optional.ofNullable(serverUrl);
    }

    /** Returns the subject template. */
    public SubjectTemplate subjects() {
        return subjects;
    }

    /** Returns the stream every message must land in ({@code Nats-Expected-Stream}), when set. */
    public Optional<String> expectedStream() {
        return Optional.ofNullable(expectedStream);
    }

    /** Returns the stream the publisher creates at start when it is missing, when set. */
    public Optional<String> createStream() {
        return Optional.ofNullable(createStream);
    }

    /** Returns the duplicate window of a stream the publisher creates; default 2 minutes (the server's default). */
    public Duration duplicateWindow() {
        return duplicateWindow;
    }

    /** Returns the publish call's deadline: every PubAck not in by then is {@code UNAVAILABLE}. */
    public Duration publishTimeout() {
        return publishTimeout;
    }

    /** Returns the most messages one publish call has awaiting their PubAck at once. */
    public int maxPendingAcks() {
        return maxPendingAcks;
    }

    /** Returns the connect timeout of the publisher's own connection. */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** Returns the wait between reconnect attempts of the publisher's own connection. */
    public Duration reconnectWait() {
        return reconnectWait;
    }

    /**
     * Returns the longest a publish call takes: the publish timeout, plus the stream lookup that
     * settles a "no responders" (1 s), plus one second to build the outcomes.
     */
    public Duration maxPublishDuration() {
        return publishTimeout.plus(NatsOutboxEventPublisher.LOOKUP_TIMEOUT).plusSeconds(1);
    }

    @Override
    public String toString() {
        return "NatsPublisherConfig[server=" + (serverUrl == null ? "given connection" : serverUrl)
                + ", subjects=" + subjects + ", expectedStream=" + expectedStream + ", createStream=" + createStream
                + (createStream != null ? " (duplicate window " + duplicateWindow + ")" : "")
                + ", publishTimeout=" + publishTimeout + ", maxPendingAcks=" + maxPendingAcks + "]";
    }
}
