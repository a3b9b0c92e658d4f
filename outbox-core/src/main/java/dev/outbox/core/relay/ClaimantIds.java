package dev.outbox.core.relay;

import java.util.concurrent.ThreadLocalRandom;

/** Makes default claimant ids: {@code hostname-pid-random}, unique among live relays. */
final class ClaimantIds {
    private ClaimantIds() {
    }

    static String next() {
        String random = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
        return hostName() + "-" + ProcessHandle.current().pid() + "-" + random;
    }

    private static String hostName() {
        // HOSTNAME avoids a DNS lookup; InetAddress is the portable fallback
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
