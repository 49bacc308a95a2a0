package io.containerlease.api.access;

import io.containerlease.config.Cidr;
import java.util.List;

/**
 * Who the client is, for rate limiting and the activity log. The TCP peer, unless the peer is a
 * trusted proxy: then X-Forwarded-For is walked from the right (the end the proxies append to),
 * skipping trusted hops, and the first untrusted address is the client. Nothing a client writes in
 * a header can make it someone else, or exempt.
 */
public final class ClientAddress {
    private ClientAddress() {}

    public static String resolve(String peer, String forwardedFor, List<Cidr> trustedProxies) {
        if (!isTrusted(peer, trustedProxies) || forwardedFor == null || forwardedFor.isBlank()) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (hop.isEmpty()) {
                continue;
            }
            if (!isTrusted(hop, trustedProxies)) {
                return hop.length() > 64 ? hop.substring(0, 64) : hop;
            }
        }
        return peer; // every hop was a trusted proxy
    }

    private static boolean isTrusted(String address, List<Cidr> trusted) {
        for (Cidr cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
