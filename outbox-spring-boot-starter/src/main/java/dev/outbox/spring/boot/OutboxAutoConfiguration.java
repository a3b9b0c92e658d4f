package dev.outbox.spring.boot;

import dev.outbox.core.Outbox;
import dev.outbox.core.UnitOfWork;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.OutboxStore;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxStore;
import dev.outbox.kafka.KafkaOutboxEventPublisher;
import dev.outbox.kafka.KafkaPublisherConfig;
import dev.outbox.spring.SpringOutbox;
import dev.outbox.spring.SpringUnitOfWork;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Auto-configures the outbox on the application's single {@link DataSource}: the {@link Outbox} that joins its
 * {@code @Transactional} methods ({@link SpringOutbox}), the {@link UnitOfWork} port on its transaction manager,
 * the PostgreSQL store, optionally the table ({@code outbox.schema.create=true}), the publisher (the application's
 * own {@link OutboxEventPublisher} bean, else Kafka when {@code spring.kafka.bootstrap-servers} is set) and the
 * polling relay as a lifecycle bean ({@code outbox.relay.enabled}, default on). Every bean backs off when the
 * application declares its own of the same type.
 */
@AutoConfiguration(afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration"})
@ConditionalOnClass({DataSource.class, PlatformTransactionManager.class})
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(OutboxProperties.class)
public class OutboxAutoConfiguration {

    /** Creates the auto-configuration; Spring calls it. */
    public OutboxAutoConfiguration() {
    }

    /** The outbox table named by {@code outbox.table}. */
    static OutboxTable table(OutboxProperties properties) {
        String name = properties.getTable();
        return PropertyChecks.valid("outbox.table", name, () -> {
            int dot = name.indexOf('.');
            return dot < 0 ? OutboxTable.of(name) : OutboxTable.of(name.substring(0, dot), name.substring(dot + 1));
        });
    }

    /** Creates the outbox table at start when {@code outbox.schema.create=true}; a no-op when it exists. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty("outbox.schema.create")
    OutboxSchemaInitializer outboxSchemaInitializer(DataSource dataSource, OutboxProperties properties) {
        OutboxTable table = table(properties);
        OutboxSchema.create(Jdbi.create(dataSource), table);
        return new OutboxSchemaInitializer(table);
    }

    /** The append port, joining the current Spring transaction on the DataSource. */
    @Bean
    @ConditionalOnMissingBean(Outbox.class)
    SpringOutbox outbox(DataSource dataSource, OutboxProperties properties,
            ObjectProvider<OutboxSchemaInitializer> schema) {
        schema.ifAvailable(created -> { }); // built after the table, when the starter creates it
        return SpringOutbox.builder(dataSource).table(table(properties)).build();
    }

    /** The unit of work port on the application's transaction manager, for code written against the port. */
    @Bean
    @ConditionalOnMissingBean(UnitOfWork.class)
    @ConditionalOnSingleCandidate(PlatformTransactionManager.class)
    SpringUnitOfWork outboxUnitOfWork(PlatformTransactionManager transactionManager) {
        return SpringUnitOfWork.create(transactionManager);
    }

    /** The store relays claim from, on its own connections of the DataSource. */
    @Bean
    @ConditionalOnMissingBean(OutboxStore.class)
    PostgresOutboxStore outboxStore(DataSource dataSource, OutboxProperties properties,
            ObjectProvider<OutboxSchemaInitializer> schema) {
        schema.ifAvailable(created -> { }); // built after the table, when the starter creates it
        return PostgresOutboxStore.builder().dataSource(dataSource).table(table(properties)).build();
    }

    /** The relay's settings from {@code outbox.relay.*}. */
    @Bean
    @ConditionalOnMissingBean
    RelayConfig outboxRelayConfig(OutboxProperties properties) {
        OutboxProperties.Relay relay = properties.getRelay();
        // The relay validates when it is built: each value alone first, against the other defaults, so that the
        // error names the property; then all together.
        PropertyChecks.valid("outbox.relay.batch-size", relay.getBatchSize(),
                () -> RelayConfig.builder().batchSize(relay.getBatchSize()).build());
        PropertyChecks.valid("outbox.relay.poll-interval", relay.getPollInterval(),
                () -> RelayConfig.builder().pollInterval(relay.getPollInterval()).build());
        PropertyChecks.valid("outbox.relay.max-attempts", relay.getMaxAttempts(),
                () -> RelayConfig.builder().maxAttempts(relay.getMaxAttempts()).build());
        PropertyChecks.valid("outbox.relay.lease", relay.getLease(),
                () -> RelayConfig.builder().lease(relay.getLease()).build());
        RelayConfig.Builder builder = RelayConfig.builder().batchSize(relay.getBatchSize())
                .pollInterval(relay.getPollInterval()).maxAttempts(relay.getMaxAttempts()).lease(relay.getLease());
        return PropertyChecks.valid("outbox.relay", "batch-size, poll-interval, max-attempts, lease", builder::build);
    }

    /** The polling relay, started after the context is ready and stopped first at shutdown. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "outbox.relay.enabled", matchIfMissing = true)
    OutboxRelayLifecycle outboxRelay(OutboxStore store, ObjectProvider<OutboxEventPublisher> publisher,
            RelayConfig config) {
        OutboxEventPublisher found = publisher.getIfUnique();
        if (found == null) {
            throw new IllegalStateException("outbox.relay.enabled is true but there is no single OutboxEventPublisher "
                    + "bean: declare one, set spring.kafka.bootstrap-servers for the Kafka publisher, or set "
                    + "outbox.relay.enabled=false");
        }
        return new OutboxRelayLifecycle(store, found, config);
    }

    /** The Kafka publisher from {@code spring.kafka.bootstrap-servers}, unless the application has a publisher. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(KafkaOutboxEventPublisher.class)
    @ConditionalOnProperty("spring.kafka.bootstrap-servers")
    static class KafkaPublisherConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(OutboxEventPublisher.class)
        KafkaOutboxEventPublisher outboxKafkaPublisher(Environment environment, OutboxProperties properties) {
            List<String> servers = Binder.get(environment)
                    .bind("spring.kafka.bootstrap-servers", Bindable.listOf(String.class)).orElse(List.of());
            KafkaPublisherConfig.Builder config = KafkaPublisherConfig.builder();
            PropertyChecks.apply("spring.kafka.bootstrap-servers", servers,
                    () -> config.bootstrapServers(String.join(",", servers)));
            String template = properties.getKafka().getTopicTemplate();
            if (template != null) {
                PropertyChecks.apply("outbox.kafka.topic-template", template, () -> config.topicTemplate(template));
            }
            return KafkaOutboxEventPublisher.create(PropertyChecks.valid("spring.kafka", servers, config::build));
        }
    }
}
