package dev.outbox.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.kafka.OutboxHeaders;
import dev.outbox.kafka.TopicNaming;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks the shipped connector configuration against our publisher's defaults, without servers. */
class ShippedConnectorConfigTest {

    private final Map<String, String> config = ShippedConnectorConfig.load().config();

    @Test
    void routesToTheTopicOurPublisherUsesByDefault() {
        OutboxEvent event = OutboxEvent.json("Order", "o-1", "OrderCreated", "{}");
        String routed = config.get("transforms.outbox.route.topic.replacement").replace("${routedByValue}", "Order");

        assertThat(config.get("transforms.outbox.route.by.field")).isEqualTo("aggregatetype");
        assertThat(routed).isEqualTo(TopicNaming.debezium().topicFor(event));
    }

    @Test
    void placesTheEventTypeAndTheSequenceInTheHeadersOurPublisherWrites() {
        assertThat(config.get("transforms.outbox.table.fields.additional.placement"))
                .isEqualTo("type:header:" + OutboxHeaders.EVENT_TYPE + ",seq:header:" + OutboxHeaders.SEQUENCE);
        assertThat(config.get("transforms.outbox.table.field.event.id")).isEqualTo(OutboxHeaders.ID);
    }

    @Test
    void readsOnlyInsertsOfTheOutboxColumnsWithoutDebeziumHeaders() {
        assertThat(config).containsEntry("plugin.name", "pgoutput")
                .containsEntry("table.include.list", "public.outbox_event")
                .containsEntry("skipped.operations", "u,d,t")
                .containsEntry("extended.headers.enabled", "false");
        assertThat(config.get("column.include.list").split(",")).containsExactlyInAnyOrder(
                "public.outbox_event.id", "public.outbox_event.aggregatetype", "public.outbox_event.aggregateid",
                "public.outbox_event.type", "public.outbox_event.payload", "public.outbox_event.seq");
    }

    @Test
    void writesKeysValuesAndHeadersAsPlainUtf8Strings() {
        String string = "org.apache.kafka.connect.storage.StringConverter";
        assertThat(config).containsEntry("key.converter", string)
                .containsEntry("value.converter", string)
                .containsEntry("header.converter", string)
                .containsEntry("transforms.outbox.table.expand.json.payload", "false");
    }

    @Test
    void usesItsOwnSlotAndPublicationNotTheLogTailingRelayDefaults() {
        // LogTailingRelay (outbox-jdbc-replication) defaults to slot outbox_slot and publication outbox_pub.
        assertThat(config.get("slot.name")).isEqualTo("dbz_outbox_slot").isNotEqualTo("outbox_slot");
        assertThat(config.get("publication.name")).isEqualTo("dbz_outbox_publication").isNotEqualTo("outbox_pub");
    }
}
