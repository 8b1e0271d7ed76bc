package io.llmrelay.app;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.relay.Upstreams;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.util.function.Supplier;

/**
 * The routes' upstreams, replaceable as a whole: {@link #renew()} builds fresh ones (a new JDK
 * HTTP client, so new connection pools, and a new Bedrock signer with its own credential chain)
 * and shuts the old client down. The JDK's {@code HttpClient} has no way to empty its pool, and
 * after a SnapStart restore every connection pooled before the snapshot is dead (its peer never
 * saw the restore) while its TLS state would be shared by every restored environment.
 */
final class RenewableUpstreams implements Upstreams {
    private final Supplier<RouteUpstreams> factory;
    private volatile RouteUpstreams current;

    RenewableUpstreams(Supplier<RouteUpstreams> factory) {
        this.factory = factory;
        this.current = factory.get();
    }

    @Override
    public Upstream forRoute(RouteConfig route, TranslationNotes notes) {
        return current.forRoute(route, notes);
    }

    /** Later requests use new upstreams; the old client is shut down (no request is running: this is for restores). */
    void renew() {
        RouteUpstreams old = current;
        current = factory.get();
        old.close();
    }
}
