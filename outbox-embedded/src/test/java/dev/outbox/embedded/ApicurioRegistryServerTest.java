package dev.outbox.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApicurioRegistryServerTest {
    private static ApicurioRegistryServer registry;

    @BeforeAll
    static void startRegistry() {
        registry = ApicurioRegistryServer.start(ApicurioRegistryServer.locateDistribution());
    }

    @AfterAll
    static void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void startedRegistry_listsNoSubjectsOnItsConfluentCompatibleApi() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.confluentApiUrl() + "/subjects"))
                        .timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().strip()).isEqualTo("[]");
        assertThat(registry.confluentApiUrl()).isEqualTo("http://127.0.0.1:" + registry.port() + "/apis/ccompat/v7");
    }

    @Test
    void javaHomeThatIsNoJavaInstallation_isRefusedNamingTheSetting(@TempDir Path notAJava) {
        assertThatThrownBy(() -> ApicurioRegistryServer.builder(ApicurioRegistryServer.locateDistribution())
                .javaHome(notAJava).start())
                .isInstanceOf(EmbeddedServerException.class)
                .hasMessageContaining("javaHome").hasMessageContaining(notAJava.toString())
                .hasMessageContaining("Java " + ApicurioRegistryServer.MINIMUM_JAVA_VERSION);
    }

    @Test
    void missingDistribution_failsWithAMessageNamingTheSetting(@TempDir Path empty) {
        assertThatThrownBy(() -> ApicurioRegistryServer.start(empty))
                .isInstanceOf(EmbeddedServerException.class)
                .hasMessageContaining(ApicurioRegistryServer.DISTRIBUTION_DIR_PROPERTY)
                .hasMessageContaining(empty.toString());
    }
}
