package dev.outbox.spring.boot;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** An invalid {@code outbox.*} value fails the start with an error that names the property. */
class InvalidPropertyStarterTest {

    @ParameterizedTest
    @CsvSource({
        "outbox.relay.batch-size, 0",
        "outbox.relay.max-attempts, 0",
        "outbox.relay.poll-interval, 0s",
        "outbox.relay.lease, -5s",
        "outbox.table, Orders-Outbox",
        "outbox.kafka.topic-template, bad topic ${aggregateType}",
    })
    void invalidValue_failsTheStartNamingTheProperty(String property, String value) {
        ThrowingCallable start = () -> TestApplication.run(new Class<?>[0],
                property + "=" + value,
                "spring.kafka.bootstrap-servers=127.0.0.1:1",
                "outbox.relay.enabled=false",
                "test.orders-table=" + TestDatabase.freshTable("starter_invalid"))
                .close();
        assertThatThrownBy(start).hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
                .rootCause().hasMessageContaining(property);
    }
}
