package dev.outbox.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One child OS process of the fault suite (a JVM running the broker, the service or a relay),
 * its output appended to a file under {@code target/} across restarts. Every live child is
 * SIGKILLed by a JVM shutdown hook, and the child itself halts when our stdin pipe closes
 * ({@link ParentWatchingMain}), so nothing outlives the test JVM. Thread-safe.
 */
final class ChildProcess implements AutoCloseable {
    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ChildProcess::kill), "fault-children-killer"));
    }

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workDir;
    private final Path output;
    private Process process;
    private long outputOffset;
    private int starts;

    private ChildProcess(String name, List<String> command, Map<String, String> environment, Path workDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.workDir = workDir;
        this.output = workDir.resolve(name + ".log");
    }

    /** A JVM running {@code mainClass} with the test JVM's class path, under {@link ParentWatchingMain}. */
    static ChildProcess java(String name, Path workDir, Map<String, String> environment, String mainClass,
                             List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-Djava.net.preferIPv4Stack=true",
                "-cp", System.getProperty("java.class.path"),
                ParentWatchingMain.class.getName(), mainClass));
        command.addAll(args);
        return new ChildProcess(name, command, environment, workDir);
    }

    String name() {
        return name;
    }

    Path output() {
        return output;
    }

    /** Starts the process (again, after a kill), appending its output to {@link #output()}. */
    synchronized ChildProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        try {
            Files.createDirectories(workDir);
            starts++;
            Files.writeString(output, "==== fault suite: start #" + starts + " of " + name + " at " + Instant.now() + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            outputOffset = Files.size(output);
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            LIVE.add(this);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** SIGKILLs the process (Process.destroyForcibly) and waits, at most 10 s, until it is gone. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(this);
    }

    /** SIGSTOPs the process: it keeps its sockets open and answers nothing until {@link #resume()}. */
    void pause() {
        signal("STOP");
    }

    /** SIGCONTs a {@link #pause() paused} process. */
    void resume() {
        signal("CONT");
    }

    private synchronized void signal(String signal) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot signal " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Returns how many times the process was started. */
    synchronized int starts() {
        return starts;
    }

    /**
     * Waits until the output of the current run holds {@code marker}.
     *
     * @throws IllegalStateException if the process exits first or the timeout passes
     */
    void awaitOutput(String marker, Duration timeout) {
        Deadline.of(timeout).await(name + " to print '" + marker + "' (see " + output + ")", () -> {
            if (currentOutput().contains(marker)) {
                return true;
            }
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited before printing '" + marker + "': see " + output);
            }
            return false;
        });
    }

    /** Returns what the current run printed so far. */
    synchronized String currentOutput() {
        try {
            byte[] all = Files.readAllBytes(output);
            int from = (int) Math.min(outputOffset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return name;
    }
}
