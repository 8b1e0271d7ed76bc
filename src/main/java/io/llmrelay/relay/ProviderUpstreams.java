package io.llmrelay.relay;

import io.llmrelay.aws.SigV4Signer;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.upstream.JdkHttp;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.anthropic.AnthropicUpstream;
import io.llmrelay.upstream.bedrock.BedrockUpstream;
import io.llmrelay.upstream.bedrock.RequestSigner;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The upstreams of {@code anthropic} and {@code bedrock} routes, one per route and request (cheap:
 * they share one HTTP client and one signer). The signer, with its AWS credential chain, is built
 * on the first Bedrock request, so relays without Bedrock routes never load it.
 */
public final class ProviderUpstreams {
    private final HttpClient client;
    private final Supplier<RequestSigner> signer;

    public ProviderUpstreams(HttpClient client, Supplier<RequestSigner> signer) {
        this.client = client;
        this.signer = once(signer);
    }

    /** A fresh HTTP client and the standard AWS credential chain, credentials in {@code env} first. */
    public static ProviderUpstreams standard(Map<String, String> env) {
        return new ProviderUpstreams(JdkHttp.newClient(), () -> SigV4Signer.fromEnvironment(env));
    }

    /** @param notes where a request's translation notes go, by request id (the debug log, or nowhere) */
    Upstream forRoute(RouteConfig route, Function<String, TranslationNotes> notes) {
        return switch (route.type()) {
            case ANTHROPIC -> new AnthropicUpstream(client, route.name(), route.defaultMaxTokens(), notes);
            case BEDROCK -> new BedrockUpstream(client, signer, route.name(), route.region(), notes);
            case OPENAI, DEMO -> throw new IllegalArgumentException("not a provider route: " + route.type());
        };
    }

    private static Supplier<RequestSigner> once(Supplier<RequestSigner> factory) {
        return new Supplier<>() {
            private RequestSigner built;

            @Override
            public synchronized RequestSigner get() {
                if (built == null) {
                    built = factory.get();
                }
                return built;
            }
        };
    }
}
