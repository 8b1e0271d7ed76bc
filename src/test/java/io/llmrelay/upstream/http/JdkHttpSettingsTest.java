package io.llmrelay.upstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The JDK client settings the relay relies on are in place once any relay client can be built (the
 * stale-connection retry they enable is shown end to end in app.UpstreamConnectionsTest), and a value
 * given on the command line wins.
 */
class JdkHttpSettingsTest {
    @Test
    void postsOnAStalePooledConnectionMayBeRetried() {
        JdkHttp.newClient().close();
        assertEquals("true", System.getProperty(JdkHttp.RETRY_ALL_METHODS));
    }

    @Test
    void aValueFromTheCommandLineIsKept() {
        String before = System.getProperty(JdkHttp.RETRY_ALL_METHODS);
        try {
            System.setProperty(JdkHttp.RETRY_ALL_METHODS, "false");
            JdkHttp.configureClients();
            assertEquals("false", System.getProperty(JdkHttp.RETRY_ALL_METHODS));
        } finally {
            System.setProperty(JdkHttp.RETRY_ALL_METHODS, before == null ? "true" : before);
        }
    }
}
