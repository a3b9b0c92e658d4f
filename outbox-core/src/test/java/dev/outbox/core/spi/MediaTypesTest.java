package dev.outbox.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one media-type rule. It replaces outbox-jdbc's rule (JSON goes to the jsonb column) and
 * outbox-kafka's (text goes to a serializer as a String), which parsed the same way apart from
 * the whitespace they trimmed; both former behaviours are kept here.
 */
class MediaTypesTest {

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "APPLICATION/JSON", "application/json; charset=utf-8",
        " application/json ", "\tapplication/json;v=1", "application/cloudevents+json",
        "application/vnd.order.v1+JSON; charset=UTF-8"})
    void jsonTypes_areJsonAndText(String type) {
        assertThat(MediaTypes.isJson(type)).as("isJson(%s)", type).isTrue();
        assertThat(MediaTypes.isText(type)).as("isText(%s)", type).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "TEXT/CSV; charset=utf-8", " text/xml"})
    void textTypes_areTextButNotJson(String type) {
        assertThat(MediaTypes.isText(type)).as("isText(%s)", type).isTrue();
        assertThat(MediaTypes.isJson(type)).as("isJson(%s)", type).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/octet-stream", "application/avro", "application/jsonx",
        "application/json-seq", "+json", "application/+json", "/x+json", "text/", "text", "",
        "application/x; y=+json", "application/xml"})
    void otherTypes_areNeitherJsonNorText(String type) {
        assertThat(MediaTypes.isJson(type)).as("isJson(%s)", type).isFalse();
        assertThat(MediaTypes.isText(type)).as("isText(%s)", type).isFalse();
    }
}
