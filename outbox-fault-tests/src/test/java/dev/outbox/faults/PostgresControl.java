package dev.outbox.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts the embedded PostgreSQL server with the {@code pg_ctl} that zonky unpacked
 * next to its {@code postgres}: {@code stop -m immediate} (no checkpoint, every connection cut,
 * crash recovery at the next start) and {@code start} with the postmaster's own recorded options
 * ({@code postmaster.opts}), so it comes back on the same port with the same settings. As root
 * (CI) both run under {@code unshare -U}, as zonky runs them, because PostgreSQL refuses root.
 * Create it while the server runs; not thread-safe.
 */
final class PostgresControl {
    private final Path dataDirectory;
    private final Path pgCtl;
    private final String options;
    private final Path log;

    private PostgresControl(Path dataDirectory, Path pgCtl, String options, Path log) {
        this.dataDirectory = dataDirectory;
        this.pgCtl = pgCtl;
        this.options = options;
        this.log = log;
    }

    /** Reads the binaries' location and the options from the running server's data directory. */
    static PostgresControl of(Path dataDirectory, Path log) {
        try {
            String recorded = Files.readString(dataDirectory.resolve("postmaster.opts"), StandardCharsets.UTF_8).strip();
            int space = recorded.indexOf(' ');
            // the first word is the postgres binary; pg_ctl adds it (and -D again) itself
            Path postgres = Path.of(recorded.substring(0, space));
            return new PostgresControl(dataDirectory, postgres.resolveSibling("pg_ctl"), recorded.substring(space + 1), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the command line of the PostgreSQL in " + dataDirectory, e);
        }
    }

    /** {@code pg_ctl stop -m immediate}: the postmaster and every backend exit at once, without a checkpoint. */
    void stopImmediately() {
        pgCtl(List.of("-D", dataDirectory.toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
    }

    /** {@code pg_ctl start} with the recorded options; returns once the server accepts connections (crash recovery done). */
    void start() {
        pgCtl(List.of("-D", dataDirectory.toString(), "-l", log.toString(), "-w", "-t", "60", "-o", options, "start"));
    }

    private void pgCtl(List<String> args) {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(pgCtl.toString());
        command.addAll(args);
        Path output = log.resolveSibling("pg_ctl.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("pg_ctl did not finish in 90 s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("pg_ctl failed (exit " + process.exitValue() + "): " + command
                        + "; see " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
