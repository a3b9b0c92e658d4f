package dev.outbox.embedded;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the runner jar of an unpacked Apicurio Registry distribution and watches its start. */
final class ApicurioDistribution {
    private static final int LOG_TAIL_BYTES = 4_000;

    private ApicurioDistribution() {
    }

    /**
     * Returns the jar to launch, in {@code dir} or one level below: {@code quarkus-run.jar}
     * (Quarkus fast-jar layout of Apicurio 3.1 and later) or
     * {@code apicurio-registry-app-*-runner.jar} (legacy-jar layout of 3.0.x).
     */
    static Path runnerJar(Path dir) {
        Optional<Path> jar = Optional.empty();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.find(dir, 2, (path, attributes) -> attributes.isRegularFile()
                    && isRunner(path.getFileName().toString()))) {
                jar = files.sorted().findFirst();
            } catch (IOException e) {
                throw new EmbeddedServerException("cannot read Apicurio distribution directory " + dir, e);
            }
        }
        return jar.orElseThrow(() -> new EmbeddedServerException("no quarkus-run.jar or"
                + " apicurio-registry-app-*-runner.jar in " + dir
                + "; unpack io.apicurio:apicurio-registry-app:tar.gz:all there (maven-dependency-plugin unpack)"
                + " or set the system property " + ApicurioRegistryServer.DISTRIBUTION_DIR_PROPERTY
                + " to the unpacked directory"));
    }

    private static boolean isRunner(String fileName) {
        return fileName.equals("quarkus-run.jar") || fileName.matches("apicurio-registry-app-.*-runner\\.jar");
    }

    /** {@code target/apicurio-registry-<port>.log} when {@code target/} exists, else a temp file. */
    static Path defaultLogFile(int port) {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            return target.resolve("apicurio-registry-" + port + ".log").toAbsolutePath();
        }
        try {
            return Files.createTempFile("apicurio-registry-" + port + "-", ".log");
        } catch (IOException e) {
            throw new EmbeddedServerException("cannot create a log file for Apicurio Registry", e);
        }
    }

    /** Polls {@code readyUrl} until it answers 200, the process dies, or the timeout passes. */
    static void awaitReady(Process process, String readyUrl, Duration timeout, Path log) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(readyUrl)).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw failure("exited with status " + process.exitValue() + " before it was ready", log);
            }
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedServerException("interrupted while waiting for Apicurio Registry", e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedServerException("interrupted while waiting for Apicurio Registry", e);
            }
        }
        throw failure("did not answer " + readyUrl + " within " + timeout.toSeconds() + " s", log);
    }

    private static EmbeddedServerException failure(String what, Path log) {
        return new EmbeddedServerException("Apicurio Registry " + what + "; log " + log + " ends with:\n" + tail(log));
    }

    static String tail(Path log) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - LOG_TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
