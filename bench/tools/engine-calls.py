#!/usr/bin/env python3
"""Profiles what a server asks the Docker engine: a proxy on a Unix socket that forwards every byte to the
engine and logs, per request, when it was sent, its method and path, and how long the engine took to start
answering (ms). Point a server (or a bench run, whose servers inherit it) at the proxy with DOCKER_HOST:

    python3 bench/tools/engine-calls.py /tmp/engine.sock /var/run/docker.sock /tmp/engine-calls.log &
    DOCKER_HOST=unix:///tmp/engine.sock bin/containerlease bench --only restart

The bench's own baseline talks to the engine directly, so only the service's calls are logged. It adds a
little latency to each call; use it to see which calls are made and how long the engine takes, not to time
the service. One request per chunk is assumed (docker-java sends a request's head in one write).
"""
import asyncio
import re
import sys
import time

REQUEST = re.compile(rb'^(GET|POST|DELETE|PUT|HEAD) (\S+) HTTP/1\.[01]\r\n')


async def pipe(reader, writer, connection, requests, out):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            now = time.time()
            if requests:
                m = REQUEST.match(data)
                if m:
                    connection['pending'] = (now, m.group(1).decode(), m.group(2).decode())
            elif connection.get('pending'):
                sent, method, path = connection.pop('pending')
                out.write('%.3f %s %s %.1f\n' % (sent, method, path, (now - sent) * 1000))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(listen, engine, log):
    out = open(log, 'w', buffering=1)

    async def handle(client_reader, client_writer):
        engine_reader, engine_writer = await asyncio.open_unix_connection(engine)
        connection = {}
        await asyncio.gather(
            pipe(client_reader, engine_writer, connection, True, out),
            pipe(engine_reader, client_writer, connection, False, out))

    server = await asyncio.start_unix_server(handle, listen)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main(*sys.argv[1:4]))
