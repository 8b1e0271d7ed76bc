package io.llmrelay.upstream;

/**
 * What an upstream answered, as soon as its kind is known. Bodies are not read yet: the relay
 * reads them, each wait bounded by the route's idle timeout and the invocation's deadline.
 */
public sealed interface UpstreamAnswer {

    /** The HTTP status (a translating upstream reports the status its error table maps to). */
    int status();

    /** Abandons the exchange at once; safe from any thread and more than once; never throws. */
    void close();

    /** The upstream's own id for the exchange ({@link UpstreamResponse#requestId()}); null when it sent none. */
    String upstreamRequestId();

    /**
     * Not a 2xx: the upstream refused. Its body is an error, OpenAI-shaped or not, which the relay
     * relays or replaces under its error contract; its status decides whether another try may help.
     *
     * @param translated the body is the OpenAI error a translating upstream (Anthropic, Bedrock) made
     *                   from the provider's refusal through its error table, with the status that table
     *                   gives it, rather than an upstream's own words
     */
    record Refusal(UpstreamResponse response, boolean translated) implements UpstreamAnswer {

        /** An upstream's own refusal, as it sent it. */
        public Refusal(UpstreamResponse response) {
            this(response, false);
        }

        @Override
        public int status() {
            return response.status();
        }

        @Override
        public void close() {
            response.close();
        }

        @Override
        public String upstreamRequestId() {
            return response.requestId();
        }
    }

    /**
     * A 2xx whole body: a {@code chat.completion} for a request that did not ask for a stream, or
     * (from an OpenAI-compatible upstream) a JSON body where a stream was asked for.
     */
    record Whole(UpstreamResponse response) implements UpstreamAnswer {
        @Override
        public int status() {
            return response.status();
        }

        @Override
        public void close() {
            response.close();
        }

        @Override
        public String upstreamRequestId() {
            return response.requestId();
        }
    }

    /**
     * A 2xx stream of {@code chat.completion.chunk}s, none read by the relay yet.
     *
     * @param upstreamRequestId the upstream's own id for the exchange, from its response head; may be null
     */
    record Stream(int status, ChunkStream chunks, String upstreamRequestId) implements UpstreamAnswer {
        /** A stream whose upstream sent no id of its own. */
        public Stream(int status, ChunkStream chunks) {
            this(status, chunks, null);
        }

        @Override
        public void close() {
            chunks.close();
        }
    }
}
