package io.containerlease.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A forwarder in front of a real socket (the Docker engine's, or a server's port): the network
 * between a client and what it talks to, which a test can break. {@link #cut()} makes the target
 * unreachable (open connections drop, new ones are refused) without touching it, {@link #restore()}
 * brings it back, and {@link #dropConnections()} breaks only the connections open now, as a
 * network blip does.
 */
public final class SocketProxy implements AutoCloseable {
    private final StandardProtocolFamily family;
    private final SocketAddress target;
    private SocketAddress listen;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocketChannel server;

    private SocketProxy(StandardProtocolFamily family, SocketAddress listen, SocketAddress target) {
        this.family = family;
        this.listen = listen;
        this.target = target;
        restore();
    }

    /** Listens at {@code listenPath} for the Unix socket at {@code targetPath}. */
    public static SocketProxy unix(Path listenPath, Path targetPath) {
        return new SocketProxy(
                StandardProtocolFamily.UNIX,
                UnixDomainSocketAddress.of(listenPath),
                UnixDomainSocketAddress.of(targetPath));
    }

    /** Listens on a free loopback port (the same one after a {@link #cut()}) for {@code targetPort} on loopback. */
    public static SocketProxy tcp(int targetPort) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return new SocketProxy(
                StandardProtocolFamily.INET,
                new InetSocketAddress(loopback, 0),
                new InetSocketAddress(loopback, targetPort));
    }

    public String dockerHost() {
        return "unix://" + listen;
    }

    /** The TCP port it listens on. */
    public int port() {
        return ((InetSocketAddress) listen).getPort();
    }

    public synchronized void restore() {
        try {
            if (listen instanceof UnixDomainSocketAddress unix) {
                Files.deleteIfExists(unix.getPath());
            }
            ServerSocketChannel channel = ServerSocketChannel.open(family);
            channel.bind(listen);
            listen = channel.getLocalAddress(); // port 0 becomes the port it got, kept for later restores
            server = channel;
            Thread.ofVirtual().start(() -> acceptLoop(channel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void cut() {
        closeQuietly(server);
        dropConnections();
        if (listen instanceof UnixDomainSocketAddress unix) {
            try {
                Files.deleteIfExists(unix.getPath());
            } catch (IOException ignored) {
                // the socket file may already be gone
            }
        }
    }

    /** Closes every connection open now; new ones are still accepted. */
    public void dropConnections() {
        open.forEach(SocketProxy::closeQuietly);
        open.clear();
    }

    private void acceptLoop(ServerSocketChannel channel) {
        while (channel.isOpen()) {
            try {
                SocketChannel client = channel.accept();
                SocketChannel upstream = SocketChannel.open(target);
                open.add(client);
                open.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                return; // closed by cut()
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException ignored) {
            // one side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        cut();
    }
}
