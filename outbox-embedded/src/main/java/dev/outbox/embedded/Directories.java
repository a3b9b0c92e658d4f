package dev.outbox.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Small file-system helpers for the embedded servers. */
final class Directories {
    private Directories() {
    }

    /** Creates a temporary directory named after {@code prefix}. */
    static Path createTemp(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new EmbeddedServerException("cannot create a temporary directory for " + prefix, e);
        }
    }

    /** Deletes {@code dir} and everything below it; a missing directory is not an error. */
    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new EmbeddedServerException("cannot delete " + path, e);
                }
            });
        } catch (IOException e) {
            throw new EmbeddedServerException("cannot delete " + dir, e);
        }
    }
}
