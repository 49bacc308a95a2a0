package io.containerlease.support;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * A Unix-socket forwarder in front of the real Docker socket. {@link #cut()} makes the engine
 * unreachable for whoever uses the proxy (open connections drop, new ones are refused) without
 * touching the engine itself; {@link #restore()} brings it back.
 */
public final class UnixSocketProxy implements AutoCloseable {
    private final Path listenPath;
    private final Path targetPath;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocketChannel server;

    public UnixSocketProxy(Path listenPath, Path targetPath) {
        this.listenPath = listenPath;
        this.targetPath = targetPath;
        restore();
    }

    public String dockerHost() {
        return "unix://" + listenPath;
    }

    public synchronized void restore() {
        try {
            Files.deleteIfExists(listenPath);
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(listenPath));
            server = channel;
            Thread.ofVirtual().start(() -> acceptLoop(channel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void cut() {
        closeQuietly(server);
        open.forEach(UnixSocketProxy::closeQuietly);
        open.clear();
        try {
            Files.deleteIfExists(listenPath);
        } catch (IOException ignored) {
            // the socket file may already be gone
        }
    }

    private void acceptLoop(ServerSocketChannel channel) {
        while (channel.isOpen()) {
            try {
                SocketChannel client = channel.accept();
                SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(targetPath));
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
