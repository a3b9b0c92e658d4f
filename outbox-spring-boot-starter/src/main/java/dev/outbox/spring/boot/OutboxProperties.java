package dev.outbox.spring.boot;

import dev.outbox.core.relay.RelayConfig;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code outbox.*} settings of the starter. Relay defaults are the relay's own ({@link RelayConfig#defaults()}),
 * so they have one owner; every value is validated when the beans are built, and an invalid one fails the start
 * with an error naming the property. Not thread-safe: Spring binds it once at start.
 */
@ConfigurationProperties("outbox")
public class OutboxProperties {
    private static final RelayConfig RELAY_DEFAULTS = RelayConfig.defaults();

    /** The outbox table, as schema.table or table (schema public); lower-case SQL identifiers. */
    private String table = "public.outbox_event";

    private final Schema schema = new Schema();
    private final Relay relay = new Relay();
    private final Kafka kafka = new Kafka();

    /** Returns {@code outbox.table}. */
    public String getTable() {
        return table;
    }

    /** Sets {@code outbox.table}. */
    public void setTable(String table) {
        this.table = table;
    }

    /** Returns the {@code outbox.schema.*} settings. */
    public Schema getSchema() {
        return schema;
    }

    /** Returns the {@code outbox.relay.*} settings. */
    public Relay getRelay() {
        return relay;
    }

    /** Returns the {@code outbox.kafka.*} settings. */
    public Kafka getKafka() {
        return kafka;
    }

    /** {@code outbox.schema.*}: creating the outbox table at start. */
    public static class Schema {
        /** Whether to create the outbox table and its indexes at start when missing; off, for Flyway or Liquibase. */
        private boolean create;

        /** Returns {@code outbox.schema.create}. */
        public boolean isCreate() {
            return create;
        }

        /** Sets {@code outbox.schema.create}. */
        public void setCreate(boolean create) {
            this.create = create;
        }
    }

    /** {@code outbox.relay.*}: the polling relay. */
    public static class Relay {
        /** Whether to run the polling relay in this application. */
        private boolean enabled = true;
        /** Most events claimed and published per batch (the relay's default: 500). */
        private int batchSize = RELAY_DEFAULTS.batchSize();
        /** How long an idle relay sleeps when no commit notification came (the relay's default: 1s). */
        private Duration pollInterval = RELAY_DEFAULTS.pollInterval();
        /** Counted failures after which an event is dead-lettered (the relay's default: 10). */
        private int maxAttempts = RELAY_DEFAULTS.maxAttempts();
        /** How long a claim lasts before another relay may take the event over (the relay's default). */
        private Duration lease = RELAY_DEFAULTS.lease();

        /** Returns {@code outbox.relay.enabled}. */
        public boolean isEnabled() {
            return enabled;
        }

        /** Sets {@code outbox.relay.enabled}. */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** Returns {@code outbox.relay.batch-size}. */
        public int getBatchSize() {
            return batchSize;
        }

        /** Sets {@code outbox.relay.batch-size}. */
        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        /** Returns {@code outbox.relay.poll-interval}. */
        public Duration getPollInterval() {
            return pollInterval;
        }

        /** Sets {@code outbox.relay.poll-interval}. */
        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        /** Returns {@code outbox.relay.max-attempts}. */
        public int getMaxAttempts() {
            return maxAttempts;
        }

        /** Sets {@code outbox.relay.max-attempts}. */
        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** Returns {@code outbox.relay.lease}. */
        public Duration getLease() {
            return lease;
        }

        /** Sets {@code outbox.relay.lease}. */
        public void setLease(Duration lease) {
            this.lease = lease;
        }
    }

    /** {@code outbox.kafka.*}: the Kafka publisher built from {@code spring.kafka.bootstrap-servers}. */
    public static class Kafka {
        /** Topic name template over ${aggregateType}; unset, the publisher's default (outbox.event.${aggregateType}). */
        private String topicTemplate;

        /** Returns {@code outbox.kafka.topic-template}. */
        public String getTopicTemplate() {
            return topicTemplate;
        }

        /** Sets {@code outbox.kafka.topic-template}. */
        public void setTopicTemplate(String topicTemplate) {
            this.topicTemplate = topicTemplate;
        }
    }
}
