package dev.outbox.nats;

import dev.outbox.core.internal.Checks;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validated settings of a {@link NatsOutboxEventPublisher}, built once by {@link #builder()}
 * and handed to {@link NatsOutboxEventPublisher#create(NatsPublisherConfig)} (or the publisher's
 * injectable constructor), or with a connection of the caller's to
 * {@link NatsOutboxEventPublisher#create(NatsPublisherConfig, Connection)}.
 *
 * <p>Immutable and thread-safe.
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

    private NatsPublisherConfig(Builder b) {
        if (b.serverUrl != null) {
            if (!b.serverUrl.matches("(nats|tls|ws|wss)://[^\\s,]+(,(nats|tls|ws|wss)://[^\\s,]+)*")) {
                throw new IllegalArgumentException("serverUrl must be nats://host:port (or tls://, several separated by "
                        + "','), got '" + b.serverUrl + "'");
            }
        }
        this.serverUrl = b.serverUrl;
        this.subjects = SubjectTemplate.of(b.subjectTemplate);
        this.expectedStream = b.expectedStream == null ? null : streamName("expectedStream", b.expectedStream);
        this.createStream = b.createStream == null ? null : streamName("createStream", b.createStream);
        this.duplicateWindow = Checks.positive(b.duplicateWindow, "duplicateWindow");
        this.publishTimeout = Checks.positive(b.publishTimeout, "publishTimeout");
        if (b.maxPendingAcks < 1 || b.maxPendingAcks > 1_000_000) {
            throw new IllegalArgumentException("maxPendingAcks must be from 1 to 1000000, got " + b.maxPendingAcks);
        }
        this.maxPendingAcks = b.maxPendingAcks;
        this.connectionTimeout = Checks.positive(b.connectionTimeout, "connectionTimeout");
        this.reconnectWait = Checks.positive(b.reconnectWait, "reconnectWait");
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

    /** Returns a builder holding the defaults described on its setters. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the server URL(s), empty when none was set (the publisher is then given a connection). */
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
        return "NatsPublisherConfig[server=" + (serverUrl == null ? "none (given connection)" : serverUrl)
                + ", subjects=" + subjects + ", expectedStream=" + expectedStream + ", createStream=" + createStream
                + (createStream != null ? " (duplicate window " + duplicateWindow + ")" : "")
                + ", publishTimeout=" + publishTimeout + ", maxPendingAcks=" + maxPendingAcks + "]";
    }

    /**
     * Builds a {@link NatsPublisherConfig}: the only place the publisher's settings are set, each
     * setter's javadoc stating its default. Not thread-safe; each setter returns this builder.
     */
    public static final class Builder {
        private String serverUrl;
        private String subjectTemplate = SubjectTemplate.DEFAULT;
        private String expectedStream;
        private String createStream;
        private Duration duplicateWindow = Duration.ofMinutes(2);
        private Duration publishTimeout = Duration.ofSeconds(10);
        private int maxPendingAcks = 4096;
        private Duration connectionTimeout = Duration.ofSeconds(5);
        private Duration reconnectWait = Duration.ofSeconds(1);

        private Builder() {
        }

        /**
         * Sets the server URL, e.g. {@code nats://127.0.0.1:4222} (several separated by ',').
         * Required unless the publisher is given a connection
         * ({@link NatsOutboxEventPublisher#create(NatsPublisherConfig, Connection)}).
         */
        public Builder serverUrl(String serverUrl) {
            this.serverUrl = serverUrl;
            return this;
        }

        /**
         * Sets the subject template, see {@link SubjectTemplate}; default
         * {@value SubjectTemplate#DEFAULT}.
         */
        public Builder subjectTemplate(String subjectTemplate) {
            this.subjectTemplate = subjectTemplate;
            return this;
        }

        /**
         * Sets the stream every message must land in: the server refuses a message whose subject
         * another stream captures ({@code RETRIABLE_FAILURE}). Default: none, any stream.
         */
        public Builder expectedStream(String stream) {
            this.expectedStream = stream;
            return this;
        }

        /**
         * Makes the publisher create the stream {@code name} at start when it does not exist, with
         * the template's subjects ({@link SubjectTemplate#streamSubjects()}), file storage and
         * {@code duplicateWindow} (how long a redelivered event id is dropped); it is then also the
         * expected stream. An existing stream is left as it is. Default: no stream is created.
         */
        public Builder createStream(String name, Duration duplicateWindow) {
            this.createStream = name;
            this.duplicateWindow = duplicateWindow;
            return this;
        }

        /**
         * Sets the publish call's deadline for PubAcks; default 10 s.
         * {@link NatsPublisherConfig#maxPublishDuration()} is this + 2 s.
         */
        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
            return this;
        }

        /** Sets how many messages of one call may await their PubAck at once; default 4096. */
        public Builder maxPendingAcks(int maxPendingAcks) {
            this.maxPendingAcks = maxPendingAcks;
            return this;
        }

        /** Sets the connect timeout of the publisher's own connection; default 5 s. */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
            return this;
        }

        /** Sets the wait between reconnect attempts of the publisher's own connection (it never gives up); default 1 s. */
        public Builder reconnectWait(Duration reconnectWait) {
            this.reconnectWait = reconnectWait;
            return this;
        }

        /**
         * Validates the settings and builds them; nothing connects. A missing {@code serverUrl} is
         * refused when a publisher is created with its own connection.
         *
         * @throws IllegalArgumentException naming the invalid setting
         * @throws NullPointerException naming a missing setting
         */
        public NatsPublisherConfig build() {
            return new NatsPublisherConfig(this);
        }
    }
}
