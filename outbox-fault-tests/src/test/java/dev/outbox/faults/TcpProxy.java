package dev.outbox.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder in the test JVM between one client process and a server on 127.0.0.1, with a
 * {@link #cut()} that plays a host dropping off the network: from then on nothing is forwarded in
 * either direction and nothing is sent back, no FIN and no RST (every socket stays open, unread),
 * and connections accepted meanwhile are held just as silently. The server sees live connections
 * that have gone quiet; the client sees reads and writes that never complete. {@link #heal()}
 * forwards new connections again (the cut ones stay dead). Thread-safe.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile long generation; // connections of an older generation stay dead after a heal
    private volatile boolean closed;

    private TcpProxy(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
    }

    /** Listens on a free loopback port and forwards every connection to {@code 127.0.0.1:targetPort}. */
    static TcpProxy to(int targetPort) {
        try {
            TcpProxy proxy = new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
            Thread acceptor = new Thread(proxy::acceptUntilClosed, "tcp-proxy-accept-" + targetPort);
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Stops forwarding, in both directions, on every connection; sends nothing to either side. */
    void cut() {
        cut = true;
    }

    /** Forwards connections made from now on again; those open at the cut stay silent. */
    void heal() {
        generation++;
        cut = false;
    }

    private void acceptUntilClosed() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                long born = generation;
                if (cut) {
                    continue; // held open and never read: a host that vanished after the handshake
                }
                Socket server = new Socket();
                sockets.add(server);
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                pump(client, server, born, "up");
                pump(server, client, born, "down");
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, long born, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                // never closed here: a cut connection must not send a FIN (closing a stream closes its socket)
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    int n = in.read(buffer);
                    if (dead(born)) {
                        return; // drop what was read; keep both sockets open: no FIN, no RST
                    }
                    if (n < 0) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                if (!dead(born)) {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }
        }, "tcp-proxy-" + direction + "-" + targetPort);
        t.setDaemon(true);
        t.start();
    }

    private boolean dead(long born) {
        return cut || born != generation;
    }

    private static void closeQuietly(java.io.Closeable socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Closes the listener and every socket (at the end of the scenario, after its processes are gone). */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        sockets.forEach(TcpProxy::closeQuietly);
    }
}
