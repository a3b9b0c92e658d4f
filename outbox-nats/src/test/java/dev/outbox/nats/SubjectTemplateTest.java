package dev.outbox.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import org.junit.jupiter.api.Test;

class SubjectTemplateTest {

    @Test
    void defaultTemplate_givesOneSubjectPerAggregate() {
        OutboxEvent event = OutboxEvent.json("Order", "7f1c", "OrderCreated", "{}");

        assertThat(SubjectTemplate.of(SubjectTemplate.DEFAULT).subjectFor(event)).isEqualTo("outbox.Order.7f1c");
        assertThat(SubjectTemplate.of(SubjectTemplate.DEFAULT).streamSubjects()).isEqualTo("outbox.*.*");
    }

    @Test
    void eventTypePlaceholder_isReplacedToo() {
        OutboxEvent event = OutboxEvent.json("Order", "1", "OrderCreated", "{}");

        assertThat(SubjectTemplate.of("svc.${aggregateType}.${eventType}").subjectFor(event))
                .isEqualTo("svc.Order.OrderCreated");
    }

    @Test
    void valuesWithDotsWildcardsSpacesOrNonAscii_stayInOneToken_escapedReversibly() {
        OutboxEvent event = OutboxEvent.json("billing.v2", "a.b *>c%d\u00e9", "Changed", "{}");

        String subject = SubjectTemplate.of(SubjectTemplate.DEFAULT).subjectFor(event);

        assertThat(subject).isEqualTo("outbox.billing%2Ev2.a%2Eb%20%2A%3Ec%25d%C3%A9");
        assertThat(SubjectTemplate.subjectProblem(subject)).isNull();
        assertThat(SubjectTemplate.unescape("a%2Eb%20%2A%3Ec%25d%C3%A9")).isEqualTo("a.b *>c%d\u00e9");
        assertThat(SubjectTemplate.unescape("billing%2Ev2")).isEqualTo("billing.v2");
    }

    @Test
    void invalidTemplates_areRefused_sayingWhy() {
        assertThatThrownBy(() -> SubjectTemplate.of("outbox..${aggregateType}"))
                .hasMessageContaining("empty token");
        assertThatThrownBy(() -> SubjectTemplate.of("outbox.${aggregateType}.")).hasMessageContaining("empty token");
        assertThatThrownBy(() -> SubjectTemplate.of("out box.${aggregateType}")).hasMessageContaining("white space");
        assertThatThrownBy(() -> SubjectTemplate.of("outbox.*.${aggregateType}")).hasMessageContaining("wildcard '*'");
        assertThatThrownBy(() -> SubjectTemplate.of("outbox.>")).hasMessageContaining("wildcard '>'");
        assertThatThrownBy(() -> SubjectTemplate.of("outbox.${aggregate}")).hasMessageContaining("unknown placeholder");
        assertThatThrownBy(() -> SubjectTemplate.of(" ")).hasMessageContaining("blank");
    }
}
