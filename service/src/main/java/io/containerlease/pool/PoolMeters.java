package io.containerlease.pool;

import java.time.Duration;

/** What the warm pool tells the metrics: each provision it served or could not (and why), and each container it made. */
public interface PoolMeters {
    void hit(String imageType);

    /** @param reason {@code empty}, or what in the request a pooled container cannot take ({@code env}, {@code secret_env}, {@code secret_files}) */
    void miss(String imageType, String reason);

    void refilled(String imageType, Duration took);

    void refillFailed(String imageType);

    PoolMeters NONE = new PoolMeters() {
        @Override
        public void hit(String imageType) {}

        @Override
        public void miss(String imageType, String reason) {}

        @Override
        public void refilled(String imageType, Duration took) {}

        @Override
        public void refillFailed(String imageType) {}
    };
}
