package dev.outbox.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Picks free TCP ports on the loopback interface. */
final class FreePorts {
    private FreePorts() {
    }

    /**
     * Returns {@code count} distinct ports that were free on 127.0.0.1 a moment ago. All sockets
     * are held open together so that the same port is never returned twice.
     */
    static int[] pick(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                socket.setReuseAddress(true);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a probe socket cannot lose anything.
                }
            }
        }
    }

    /** Returns one port: {@code requested} itself when positive, otherwise a free one. */
    static int resolve(int requested) {
        return requested > 0 ? requested : pick(1)[0];
    }

    /**
     * Returns {@code port} when it is 0 (pick a free one) or a valid TCP port.
     *
     * @throws IllegalArgumentException naming {@code setting} when out of range
     */
    static int requireValid(String setting, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(setting + " must be between 0 and 65535: " + port);
        }
        return port;
    }
}
