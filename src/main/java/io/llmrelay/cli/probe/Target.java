package io.llmrelay.cli.probe;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * One endpoint the probe calls: side "A" is the URL given, side "B" the {@code --compare} one.
 *
 * @param endpoint the {@code .../chat/completions} URL the requests go to
 * @param key      the API key sent as {@code Authorization: Bearer}, or null; never printed
 */
record Target(String side, URI endpoint, String model, String key) {

    /** Without the key: a record's own toString would print it wherever a target is logged. */
    @Override
    public String toString() {
        return "Target[side=" + side + ", endpoint=" + endpoint + ", model=" + model + ", key="
                + (key == null ? "none" : "******") + "]";
    }

    /** Where requests go, to print: {@link #endpoint(String)} refuses user info, and keys travel in a header. */
    String display() {
        return endpoint.toString();
    }

    /**
     * The chat completions URL for what a user pastes: a base such as {@code https://host/v1} gets
     * {@code /chat/completions} appended (as OpenAI clients do with a base URL); a URL that already
     * ends in {@code /chat/completions} is used as it is. A query string is kept.
     *
     * @throws IllegalArgumentException when {@code url} is not an absolute http(s) URL with a host
     */
    static URI endpoint(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an absolute http:// or https:// URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not hold a user name or password (give a key with --key)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.endsWith("/chat/completions")) {
            path = path.replaceAll("/+$", "") + "/chat/completions";
        }
        return URI.create(scheme.toLowerCase(java.util.Locale.ROOT) + "://" + uri.getRawAuthority() + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }
}
