package dev.outbox.rabbitmq;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * The validated settings of a {@link RabbitMqOutboxEventPublisher}, built by
 * {@link RabbitMqOutboxEventPublisher#builder()}{@code ...}{@link RabbitMqOutboxEventPublisher.Builder#buildConfig()
 * buildConfig()} for containers that inject it into the publisher's constructor.
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

    RabbitMqPublisherConfig(RabbitMqOutboxEventPublisher.Builder builder) {
        if (builder.uri == null && builder.connectionFactory == null) {
            throw new NullPointerException("uri must be set (e.g. amqp://guest:guest@localhost:5672), "
                    + "or a connectionFactory");
        }
        this.exchangeNaming = Objects.requireNonNull(builder.exchangeNaming, "exchangeNaming must not be null");
        this.declaredExchangeType = builder.declaredExchangeType;
        this.publishTimeout = positive("publishTimeout", builder.publishTimeout);
        this.connectionTimeout = positive("connectionTimeout", builder.connectionTimeout);
        if (connectionTimeout.compareTo(publishTimeout) >= 0) {
            throw new IllegalArgumentException("connectionTimeout (" + connectionTimeout + ") must be shorter than "
                    + "publishTimeout (" + publishTimeout + "): a publish call that reconnects must still have time "
                    + "to send");
        }
        this.connectionName = Objects.requireNonNull(builder.connectionName, "connectionName must not be null");
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
            throw new IllegalArgumentException("uri '" + redact(builder.uri) + "' names the empty virtual host (a "
                    + "trailing '/'), which RabbitMQ does not have: leave the path out for the default virtual host "
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

    private static Duration positive(String setting, Duration value) {
        Objects.requireNonNull(value, () -> setting + " must not be null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive, got " + value);
        }
        return value;
    }

    /** Drops the user-info part of a URI, so a password never reaches a message or a log. */
    static String redact(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.indexOf('@');
        return scheme >= 0 && at > scheme ? uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1) : uri;
    }
}
