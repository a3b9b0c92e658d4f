package dev.outbox.embedded;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a PostgreSQL data directory is free before zonky starts a postmaster on it, and
 * that a stopped postmaster has really gone.
 *
 * <p>zonky starts PostgreSQL through {@code pg_ctl}, so the postmaster is not a child that dies
 * with the JVM: a JVM killed with SIGKILL leaves it running, holding {@code postmaster.pid} and
 * the port. The next start on that data directory would then fail after the startup timeout
 * (different port) or silently talk to the orphan (same port). zonky's own {@code epg-lock}
 * file lock tells an orphan (lock free: its JVM is gone) from a directory in use by a live JVM
 * (lock held).
 */
final class PostmasterGuard {
    private static final Logger LOG = LoggerFactory.getLogger(PostmasterGuard.class);
    private static final String ZONKY_LOCK_FILE = "epg-lock";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private PostmasterGuard() {
    }

    /**
     * Prepares {@code dataDir} for a new postmaster: fails if a live process owns it, stops an
     * orphaned postmaster (when allowed) and removes a stale {@code postmaster.pid}.
     */
    static void ensureFree(Path dataDir, boolean stopOrphan) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        requireNotLockedByLiveJvm(dataDir);
        Optional<ProcessHandle> postmaster = livePostmaster(pidFile);
        if (postmaster.isEmpty()) {
            deleteStalePidFile(pidFile);
            return;
        }
        ProcessHandle orphan = postmaster.get();
        if (!stopOrphan) {
            throw new EmbeddedServerException("PostgreSQL data directory " + dataDir
                    + " is still used by an orphaned postmaster (PID " + orphan.pid() + ", left by a JVM that"
                    + " did not shut down cleanly); stop it with 'kill -INT " + orphan.pid() + "' or enable"
                    + " EmbeddedPostgresServer.Builder.stopOrphanedPostmaster(true)");
        }
        LOG.warn("Stopping orphaned PostgreSQL postmaster (PID {}) on data directory {}", orphan.pid(), dataDir);
        stop(orphan, dataDir);
    }

    /** Stops a postmaster still recorded in {@code postmaster.pid} after a failed start, if any. */
    static void stopLeftover(Path dataDir) {
        livePostmaster(dataDir.resolve("postmaster.pid")).ifPresent(p -> {
            LOG.warn("Stopping postmaster (PID {}) left by a failed start on {}", p.pid(), dataDir);
            stop(p, dataDir);
        });
    }

    /** Waits until the postmaster recorded in {@code postmaster.pid} has exited, if one is recorded. */
    static void awaitStopped(Path dataDir) {
        livePostmaster(dataDir.resolve("postmaster.pid")).ifPresent(p -> awaitExit(p, dataDir));
    }

    private static void requireNotLockedByLiveJvm(Path dataDir) {
        Path lockFile = dataDir.resolve(ZONKY_LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileOutputStream stream = new FileOutputStream(lockFile.toFile(), true);
                FileLock lock = stream.getChannel().tryLock()) {
            if (lock == null) {
                throw inUse(dataDir, "another process");
            }
        } catch (OverlappingFileLockException e) {
            throw inUse(dataDir, "another EmbeddedPostgresServer in this JVM");
        } catch (IOException e) {
            throw new EmbeddedServerException("cannot check the lock file " + lockFile, e);
        }
    }

    private static EmbeddedServerException inUse(Path dataDir, String owner) {
        return new EmbeddedServerException("PostgreSQL data directory " + dataDir + " is in use by " + owner
                + "; stop that server first or choose another data directory");
    }

    private static Optional<ProcessHandle> livePostmaster(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(PostmasterGuard::isPostgres);
        } catch (IOException | NumberFormatException e) {
            // An unreadable or half-written pid file belongs to no running server we could stop.
            return Optional.empty();
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        // Without a visible command line (other user, restricted /proc) assume the worst.
        return process.info().command().map(c -> c.endsWith("postgres") || c.endsWith("postgres.exe")).orElse(true);
    }

    private static void deleteStalePidFile(Path pidFile) {
        try {
            Files.deleteIfExists(pidFile);
            LOG.info("Removed stale {}", pidFile);
        } catch (IOException e) {
            throw new EmbeddedServerException("cannot remove stale " + pidFile, e);
        }
    }

    private static void stop(ProcessHandle postmaster, Path dataDir) {
        Optional<Path> pgCtl = postmaster.info().command().map(Path::of).map(p -> p.resolveSibling("pg_ctl"));
        if (pgCtl.isPresent() && Files.isExecutable(pgCtl.get())) {
            try {
                Process process = new ProcessBuilder(pgCtl.get().toString(), "-D", dataDir.toString(), "stop",
                        "-m", "fast", "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                process.waitFor(STOP_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (IOException e) {
                LOG.warn("pg_ctl stop failed, sending SIGTERM to PID {}", postmaster.pid(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedServerException("interrupted while stopping orphaned postmaster " + postmaster.pid(), e);
            }
        }
        if (postmaster.isAlive()) {
            postmaster.destroy();
        }
        awaitExit(postmaster, dataDir);
    }

    private static void awaitExit(ProcessHandle postmaster, Path dataDir) {
        try {
            postmaster.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedServerException("interrupted while waiting for postmaster " + postmaster.pid(), e);
        } catch (Exception e) {
            throw new EmbeddedServerException("postmaster PID " + postmaster.pid() + " on " + dataDir
                    + " did not exit within " + STOP_TIMEOUT.toSeconds() + " s", e);
        }
    }
}
