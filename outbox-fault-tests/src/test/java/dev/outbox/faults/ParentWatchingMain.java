package dev.outbox.faults;

import java.io.IOException;
import java.util.Arrays;

/**
 * Runs another main class in this JVM and halts the JVM when its stdin reaches end of file, that
 * is when the test JVM that started it is gone (even killed), so that no child process of the
 * fault suite is left running. Usage: {@code ParentWatchingMain <main class> [args...]}.
 */
public final class ParentWatchingMain {
    private ParentWatchingMain() {
    }

    /** Starts the watcher thread, then the main class. */
    public static void main(String[] args) throws Exception {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes; wait for end of file
                }
            } catch (IOException e) {
                // a broken pipe means the parent is gone too
            }
            Runtime.getRuntime().halt(137);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Class.forName(args[0]).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
