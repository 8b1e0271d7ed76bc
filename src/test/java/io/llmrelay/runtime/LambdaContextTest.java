package io.llmrelay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.amazonaws.services.lambda.runtime.ClientContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client context of an invocation, from the {@code Lambda-Runtime-Client-Context} header. The
 * field names are those the AWS Java runtime interface client reads (aws-lambda-java-libs,
 * aws-lambda-java-runtime-interface-client, api/LambdaClientContext: {@code client},
 * {@code custom}, {@code env}; api/LambdaClientContextClient: {@code installation_id},
 * {@code app_title}, {@code app_version_name}, {@code app_version_code},
 * {@code app_package_name}); aws-lambda-go's lambdacontext/context.go reads the same ones.
 */
class LambdaContextTest {
    private static final FunctionEnvironment FUNCTION = new FunctionEnvironment("f", "1", 128, "/g", "s");

    private static LambdaContext contextWith(String clientContextJson) {
        Invocation invocation = new Invocation("r1", 0, null, null, clientContextJson, null, null, null, new byte[0]);
        return new LambdaContext(invocation, FUNCTION, () -> 0);
    }

    @Test
    void aMobileClientContextIsReadFieldByField() {
        ClientContext context = contextWith("""
                {"client": {"installation_id": "inst-1", "app_title": "Avatar", "app_version_name": "1.2",
                            "app_version_code": "12", "app_package_name": "com.example.avatar"},
                 "custom": {"session": "s-9"}, "env": {"platform": "Android", "locale": "en_GB"}}""")
                .getClientContext();
        assertEquals("inst-1", context.getClient().getInstallationId());
        assertEquals("Avatar", context.getClient().getAppTitle());
        assertEquals("1.2", context.getClient().getAppVersionName());
        assertEquals("12", context.getClient().getAppVersionCode());
        assertEquals("com.example.avatar", context.getClient().getAppPackageName());
        assertEquals(Map.of("session", "s-9"), context.getCustom());
        assertEquals(Map.of("platform", "Android", "locale", "en_GB"), context.getEnvironment());
    }

    @Test
    void missingPartsAreEmptyAndNoHeaderOrABadOneIsNoContext() {
        ClientContext context = contextWith("{\"custom\": {\"k\": \"v\"}}").getClientContext();
        assertEquals("", context.getClient().getInstallationId());
        assertEquals("", context.getClient().getAppPackageName());
        assertEquals(Map.of("k", "v"), context.getCustom());
        assertEquals(Map.of(), context.getEnvironment());
        assertNull(contextWith(null).getClientContext());
        assertNull(contextWith(" ").getClientContext());
        assertNull(contextWith("{not json").getClientContext());
    }
}
