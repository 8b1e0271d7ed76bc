package io.llmrelay.app;

import io.llmrelay.aws.SigV4Signer;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.relay.Upstreams;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.anthropic.AnthropicUpstream;
import io.llmrelay.upstream.bedrock.BedrockUpstream;
import io.llmrelay.upstream.bedrock.RequestSigner;
import io.llmrelay.upstream.demo.DemoModel;
import io.llmrelay.upstream.http.UpstreamHttp;
import io.llmrelay.upstream.openai.OpenAiClient;
import io.llmrelay.upstream.openai.OpenAiUpstream;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Each route's upstream, by type: an OpenAI-compatible API, the offline demo model (an in-process
 * OpenAI-compatible endpoint, read by the same adapter), Anthropic, Bedrock. One
 * {@link UpstreamHttp} for every HTTP upstream (it owns the connection pools). The Bedrock signer, with its AWS
 * credential chain, is built on the first Bedrock request, so relays without Bedrock routes never
 * load it. Anthropic and Bedrock adapters are made per route and request (they are cheap, and
 * carry that request's translation notes).
 */
public final class RouteUpstreams implements Upstreams, AutoCloseable {
    private final UpstreamHttp http;
    private final Upstream openAi;
    private final Upstream demo;
    private final Supplier<RequestSigner> signer;

    public RouteUpstreams(UpstreamHttp http, Upstream openAi, Upstream demo, Supplier<RequestSigner> signer) {
        this.http = http;
        this.openAi = openAi;
        this.demo = demo;
        this.signer = once(signer);
    }

    /** A fresh HTTP client, the offline demo, and AWS credentials from {@code env} first, else the standard chain. */
    public static RouteUpstreams standard(Map<String, String> env) {
        UpstreamHttp http = UpstreamHttp.standard();
        return new RouteUpstreams(http, new OpenAiUpstream(new OpenAiClient(http)), new OpenAiUpstream(new DemoModel()),
                () -> SigV4Signer.fromEnvironment(env));
    }

    @Override
    public Upstream forRoute(RouteConfig route, TranslationNotes notes) {
        return switch (route.type()) {
            case OPENAI -> openAi;
            case DEMO -> demo;
            case ANTHROPIC -> new AnthropicUpstream(http, route.name(), route.defaultMaxTokens(), notes);
            case BEDROCK -> new BedrockUpstream(http, signer, route.name(), route.region(), notes);
        };
    }

    /** Shuts the HTTP client down: its pooled connections close, and requests still running on it fail. */
    @Override
    public void close() {
        http.close();
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
