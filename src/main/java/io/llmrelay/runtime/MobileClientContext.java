package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The client context a mobile SDK caller sends ({@code Lambda-Runtime-Client-Context}): the
 * calling app, and the caller's custom and environment values. Field names as the AWS Java
 * runtime interface client reads them (aws-lambda-java-libs, api/LambdaClientContext and
 * api/LambdaClientContextClient).
 */
record MobileClientContext(App client, Map<String, String> custom, Map<String, String> environment)
        implements ClientContext {

    /** The context from its JSON: {@code client} with snake_case fields, {@code custom}, {@code env}. */
    static MobileClientContext from(JsonNode context) {
        JsonNode client = context.path("client");
        App app = new App(
                client.path("installation_id").asText(""),
                client.path("app_title").asText(""),
                client.path("app_version_name").asText(""),
                client.path("app_version_code").asText(""),
                client.path("app_package_name").asText(""));
        return new MobileClientContext(app, strings(context.path("custom")), strings(context.path("env")));
    }

    @Override
    public Client getClient() {
        return client;
    }

    @Override
    public Map<String, String> getCustom() {
        return custom;
    }

    @Override
    public Map<String, String> getEnvironment() {
        return environment;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new HashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The calling app. */
    record App(String installationId, String appTitle, String appVersionName, String appVersionCode,
            String appPackageName) implements Client {
        @Override
        public String getInstallationId() {
            return installationId;
        }

        @Override
        public String getAppTitle() {
            return appTitle;
        }

        @Override
        public String getAppVersionName() {
            return appVersionName;
        }

        @Override
        public String getAppVersionCode() {
            return appVersionCode;
        }

        @Override
        public String getAppPackageName() {
            return appPackageName;
        }
    }
}
