package dev.outbox.rabbitmq;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.ConnectionFactory;
import dev.outbox.core.internal.Checks;
import java.time.Duration;

/**
 * The validated settings of a {@link RabbitMqOutboxEventPublisher}, built once by {@link #builder()}
 * and handed to {@link RabbitMqOutboxEventPublisher#create(RabbitMqPublisherConfig)} (or the
 * publisher's injectable constructor).
 *
 * <p>The connection factory is a copy of the user's (or a new one) with the URI applied, the
 * connection and handshake timeouts bounded by {@link #connectionTimeout()} and the client's
 * automatic recovery turned off: the publisher reconnects itself on the next publish (see
 * {@link RabbitMqOutboxEventPublisher}).
 *
 * <p>Immutable and thread-safe (the factory is never handed out).
 */
public final class RabbitMqPublisherConfig {

    private final ConnectionFactory connectionFactory;
    private final String endpoint;
    private final ExchangeNaming exchangeNaming;
    private final BuiltinExchangeType declaredExchangeType;
    private final Duration publishTimeout;
    private final Duration connectionTimeout;
    private final String connectionName;

    private RabbitMqPublisherConfig(Builder builder) {
        if (builder.uri == null && builder.connectionFactory == null) {
            throw new NullPointerException("uri must be set (e.g. amqp://guest:guest@localhost:5672), "
                    + "or a connectionFactory");
        }
        this.exchangeNaming = Checks.notNull(builder.exchangeNaming, "exchangeNaming");
        this.declaredExchangeType = builder.declaredExchangeType;
        this.publishTimeout = Checks.positive(builder.publishTimeout, "publishTimeout");
        this.connectionTimeout = Checks.positive(builder.connectionTimeout, "connectionTimeout");
        if (connectionTimeout.compareTo(publishTimeout) >= 0) {
            throw new IllegalArgumentException("connectionTimeout (" + connectionTimeout + ") must be shorter than "
                    + "publishTimeout (" + publishTimeout + "): a publish call that reconnects must still have time "
                    + "to send");
        }
        this.connectionName = Checks.notNull(builder.connectionName, "connectionName");
        ConnectionFactory factory = builder.connectionFactory != null ? builder.connectionFactory.clone()
                : new ConnectionFactory();
        if (builder.uri != null) {
            try {
                factory.setUri(builder.uri);
            } catch (Exception e) {
                throw new IllegalArgumentException("uri '" + redact(builder.uri) + "' is not a valid AMQP URI "
                        + "(amqp://user:password@host:port/vhost): " + e.getMessage(), e);
            }
        }
        if (factory.getVirtualHost().isEmpty()) {
            String source = builder.uri == null ? "the connection factory" : "uri '" + redact(builder.uri) + "'";
            throw new IllegalArgumentException(source + " names the empty virtual host (a "
                    + "trailing '/' in a URI), which RabbitMQ does not have: leave the path out for the default virtual host "
                    + "'/' (amqp://host:5672), or write it as %2F");
        }
        int millis = Math.toIntExact(Math.min(Integer.MAX_VALUE, connectionTimeout.toMillis()));
        factory.setConnectionTimeout(millis);
        factory.setHandshakeTimeout(millis);
        factory.setShutdownTimeout(millis);
        factory.setChannelRpcTimeout(millis);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        this.connectionFactory = factory;
        String vhost = factory.getVirtualHost();
        this.endpoint = factory.getHost() + ":" + factory.getPort() + (vhost.equals("/") ? "" : " vhost " + vhost);
    }

    /** Returns a builder holding the defaults described on its setters. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns where the publisher connects, {@code host:port[ vhost name]}, without credentials. */
    public String endpoint() {
        return endpoint;
    }

    /** Returns how exchanges are named. */
    public ExchangeNaming exchangeNaming() {
        return exchangeNaming;
    }

    /** Returns the type the publisher declares exchanges with (durable), or {@code null}: it expects them to exist. */
    public BuiltinExchangeType declaredExchangeType() {
        return declaredExchangeType;
    }

    /**
     * Returns the longest a publish call takes, from the call until its stage completes:
     * confirms not received by then are {@code UNAVAILABLE}.
     */
    public Duration publishTimeout() {
        return publishTimeout;
    }

    /** Returns the bound on opening a connection (TCP connect, then AMQP handshake). */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** Returns the connection's name, as shown in the management UI and {@code rabbitmqctl list_connections}. */
    public String connectionName() {
        return connectionName;
    }

    /** Returns a fresh copy of the factory, for the publisher's own connection. */
    ConnectionFactory newConnectionFactory() {
        return connectionFactory.clone();
    }

    @Override
    public String toString() {
        return "RabbitMqPublisherConfig[endpoint=" + endpoint + ", exchangeNaming=" + exchangeNaming
                + ", declaredExchangeType=" + declaredExchangeType + ", publishTimeout=" + publishTimeout
                + ", connectionTimeout=" + connectionTimeout + ", connectionName=" + connectionName + "]";
    }

    /** Drops the user-info part of a URI, so a password never reaches a message or a log. */
    static String redact(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.indexOf('@');
        return scheme >= 0 && at > scheme ? uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1) : uri;
    }

    /**
     * Builds a {@link RabbitMqPublisherConfig}: the only place the publisher's settings are set,
     * each setter's javadoc stating its default. Not thread-safe; each setter returns this builder.
     */
    public static final class Builder {
        private String uri;
        private ConnectionFactory connectionFactory;
        private ExchangeNaming exchangeNaming = ExchangeNaming.debezium();
        private BuiltinExchangeType declaredExchangeType;
        private Duration publishTimeout = Duration.ofSeconds(10);
        private Duration connectionTimeout = Duration.ofSeconds(5);
        private String connectionName = "outbox-publisher";

        private Builder() {
        }

        /**
         * Sets the broker, e.g. {@code amqp://guest:guest@localhost:5672} ({@code amqps://} for TLS); the path is the virtual host, none for the default {@code /} (a trailing
         * {@code /} names the empty virtual host and is refused).
         * Required unless a {@link #connectionFactory} is given; applied over it when both are.
         */
        public Builder uri(String uri) {
            this.uri = uri;
            return this;
        }

        /**
         * Sets a connection factory to start from (credentials providers, TLS, client properties);
         * the publisher copies it and turns automatic recovery off in its copy. Default: a new one.
         */
        public Builder connectionFactory(ConnectionFactory connectionFactory) {
            this.connectionFactory = connectionFactory;
            return this;
        }

        /** Sets the exchange naming; default {@link ExchangeNaming#debezium()}: {@code outbox.event.<aggregateType>}. */
        public Builder exchangeNaming(ExchangeNaming exchangeNaming) {
            this.exchangeNaming = exchangeNaming;
            return this;
        }

        /**
         * Sets the exchange naming to a template, see {@link ExchangeNaming#template(String)}.
         *
         * @throws IllegalArgumentException if the template cannot give a legal exchange name
         */
        public Builder exchangeTemplate(String template) {
            this.exchangeNaming = ExchangeNaming.template(template);
            return this;
        }

        /**
         * Makes the publisher declare each exchange it uses, durable, of this type (e.g.
         * {@link BuiltinExchangeType#TOPIC}); default {@code null}: exchanges must exist, and an
         * event whose exchange is missing fails as its own retriable failure.
         */
        public Builder declareExchanges(BuiltinExchangeType type) {
            this.declaredExchangeType = type;
            return this;
        }

        /**
         * Sets the longest a publish call takes, until its stage completes: events without a
         * confirm by then are {@code UNAVAILABLE}; default 10 s. It is
         * {@link RabbitMqOutboxEventPublisher#maxPublishDuration()}, which the relay's publish
         * timeout must cover.
         */
        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
            return this;
        }

        /** Sets the bound on opening a connection (TCP connect, AMQP handshake, each channel RPC); default 5 s, below the publish timeout. */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
            return this;
        }

        /** Sets the connection's client-provided name; default {@code outbox-publisher}. */
        public Builder connectionName(String connectionName) {
            this.connectionName = connectionName;
            return this;
        }

        /**
         * Validates the settings and builds them; nothing connects.
         *
         * @throws IllegalArgumentException naming the invalid setting
         * @throws NullPointerException naming a missing setting
         */
        public RabbitMqPublisherConfig build() {
            return new RabbitMqPublisherConfig(this);
        }
    }
}
